//! Shapes that the fused translator once turned into one-off superinstructions (scaled-index
//! loads and adds, FNV-style xor-multiply, multiply-accumulate, also from int16 loads, one-bit
//! tests, byte test-and-branch, paired local copies), now translated by operand kind: results
//! checked against what the Wasm means, computed here in Rust, on both dispatch backends.
//! Edges: shift amounts of 32 and more (taken modulo 32), addresses wrapping at 32 bits,
//! out-of-bounds traps, and copies whose second source is the first's destination. The switch
//! on a loaded value (an idiom) and the tee forms are also pinned by disassembly.

use wisp::{Config, Dispatch, Engine, Linker, Module, Store};

fn wat(src: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(src).expect("lex");
    let mut w: wast::Wat = wast::parser::parse(&buf).expect("parse");
    w.encode().expect("encode")
}

const MODULE: &str = r#"(module
  (memory (export "memory") 1)
  ;; 0: a[i] for a global array at 64: (i << 2) + 64, then offset 4.
  (func (export "elem") (param $i i32) (result i32)
    (i32.load offset=4 (i32.add (i32.shl (local.get $i) (i32.const 2)) (i32.const 64))))
  ;; 1: the same with a shift of 35 (35 mod 32 = 3) and a sign-extending byte load.
  (func (export "elem8") (param $i i32) (result i64)
    (i64.load8_s (i32.add (i32.shl (local.get $i) (i32.const 35)) (i32.const 100))))
  ;; 2: p + (i << 2), both locals.
  (func (export "add_shl_ll") (param $p i32) (param $i i32) (result i32)
    (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))))
  ;; 3: a computed left operand plus (i << 33), which is i << 1.
  (func (export "add_shl_li") (param $p i32) (param $i i32) (result i32)
    (i32.add (i32.mul (local.get $p) (local.get $p)) (i32.shl (local.get $i) (i32.const 33))))
  ;; 4: p + ((i * 3) << 4), the left local read in place.
  (func (export "add_l_shl_imm") (param $p i32) (param $i i32) (result i32)
    (i32.add (local.get $p) (i32.shl (i32.mul (local.get $i) (i32.const 3)) (i32.const 4))))
  ;; 5: (p * p) + ((i + 1) << 31).
  (func (export "add_shl_imm") (param $p i32) (param $i i32) (result i32)
    (i32.add (i32.mul (local.get $p) (local.get $p)) (i32.shl (i32.add (local.get $i) (i32.const 1)) (i32.const 31))))
  ;; 6: FNV-1a-style hash of n bytes at p, two bytes a round: (h ^ b0) * P, then (. ^ b1) * P.
  (func (export "fnv2") (param $p i32) (param $n i32) (result i32) (local $h i32)
    (local.set $h (i32.const 0x811c9dc5))
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $h
          (i32.mul
            (i32.xor
              (i32.mul (i32.xor (local.get $h) (i32.load8_u (local.get $p))) (i32.const 16777619))
              (i32.load8_u offset=1 (local.get $p)))
            (i32.const 16777619)))
        (local.set $p (i32.add (local.get $p) (i32.const 2)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $h))
  ;; 7: a * b + (a + 1) * c, the second product accumulated onto the first.
  (func (export "mac") (param $a i32) (param $b i32) (param $c i32) (result i32)
    (i32.add (i32.mul (local.get $a) (local.get $b)) (i32.mul (i32.add (local.get $a) (i32.const 1)) (local.get $c))))
  ;; 8: strlen: bytes before the first zero at p.
  (func (export "strlen") (param $p i32) (result i32) (local $q i32)
    (local.set $q (local.get $p))
    (block $done
      (loop $l
        (br_if $done (i32.eqz (i32.load8_u (local.get $q))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $l)))
    (i32.sub (local.get $q) (local.get $p)))
  ;; 9: whether the byte at p + 3 (wrapping) is set, as a branch.
  (func (export "flag3") (param $p i32) (result i32)
    (block $set
      (br_if $set (i32.load8_u (i32.add (local.get $p) (i32.const 3))))
      (return (i32.const 0)))
    (i32.const 1))
  ;; 10: copies in a row: b = a, then c = b (the new b), then a = d.
  (func (export "copies") (param $a i32) (param $b i32) (param $c i32) (param $d i32) (result i64)
    (local.set $b (local.get $a))
    (local.set $c (local.get $b))
    (local.set $a (local.get $d))
    (i64.or
      (i64.shl (i64.extend_i32_u (i32.add (i32.shl (local.get $a) (i32.const 16)) (local.get $b))) (i64.const 32))
      (i64.extend_i32_u (local.get $c))))
  ;; 11: iterations of j += by while j < n (unsigned, i64), times 2^32, plus the final j.
  (func (export "step_ll64") (param $j i64) (param $by i64) (param $n i64) (result i64) (local $cnt i64)
    (loop $l
      (local.set $cnt (i64.add (local.get $cnt) (i64.const 1)))
      (br_if $l (i64.lt_u (local.tee $j (i64.add (local.get $by) (local.get $j))) (local.get $n))))
    (i64.add (i64.shl (local.get $cnt) (i64.const 32)) (local.get $j)))
  ;; 12: iterations of j += by until j == n (i32, wrapping), the branch out when equal.
  (func (export "step_ll32") (param $j i32) (param $by i32) (param $n i32) (result i32) (local $cnt i32)
    (block $out
      (loop $l
        (local.set $cnt (i32.add (local.get $cnt) (i32.const 1)))
        (br_if $out (i32.eqz (i32.ne (local.tee $j (i32.add (local.get $j) (local.get $by))) (local.get $n))))
        (br $l)))
    (local.get $cnt))
  ;; 13: a CRC-16 step as clang writes it: (c << 1) ^ 0x1021 when bit 15 of c is set (tested
  ;; as the sign of c << 16 >> 16), else c << 1; kept in a local.
  (func (export "crc_step") (param $c i32) (param $n i32) (result i32) (local $t i32)
    (loop $l
      (local.set $c
        (select
          (i32.xor (local.tee $t (i32.shl (local.get $c) (i32.const 1))) (i32.const 0x1021))
          (local.get $t)
          (i32.lt_s (i32.shr_s (i32.shl (local.get $c) (i32.const 16)) (i32.const 16)) (i32.const 0))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $c))
  ;; 14: sign extensions written as shifts, of a computed value: 16 and 8 bits.
  (func (export "ext") (param $x i32) (result i32)
    (i32.xor
      (i32.shr_s (i32.shl (i32.add (local.get $x) (i32.const 1)) (i32.const 16)) (i32.const 16))
      (i32.shl (i32.shr_s (i32.shl (i32.mul (local.get $x) (i32.const 3)) (i32.const 24)) (i32.const 24)) (i32.const 16))))
  ;; 15: sign tests through an arithmetic shift: (x * x >> 7) < 0, (y >> 63) >= 0.
  (func (export "signs") (param $x i32) (param $y i64) (result i32)
    (i32.add
      (i32.shl (i32.lt_s (i32.shr_s (i32.mul (local.get $x) (local.get $x)) (i32.const 7)) (i32.const 0)) (i32.const 1))
      (i64.ge_s (i64.shr_s (local.get $y) (i64.const 63)) (i64.const 0))))
  ;; 16: a choice set, then the local read before another choice is teed into it (the read
  ;; must see the first choice): (c ? a : b) + (c ? b : a), tee'd.
  (func (export "selects") (param $a i32) (param $b i32) (param $c i32) (result i32) (local $s i32)
    (local.set $s (select (local.get $a) (local.get $b) (local.get $c)))
    (i32.add (local.get $s) (i32.mul (local.tee $s (select (local.get $b) (local.get $a) (local.get $c))) (i32.const 1000))))
)"#;

fn engines() -> Vec<Engine> {
    [Dispatch::Portable, Dispatch::Threaded]
        .into_iter()
        .map(|d| {
            let mut config = Config::new();
            config.dispatch(d);
            Engine::new(&config)
        })
        .collect()
}

fn setup(engine: &Engine, src: &str) -> (Module, Store<()>, wisp::Instance) {
    let module = Module::new(engine, wat(src)).expect("valid");
    let mut store = Store::new(engine, ());
    let inst = Linker::new(engine).instantiate(&mut store, &module).expect("instantiate");
    (module, store, inst)
}

fn fnv2(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c9dc5u32, |h, &b| (h ^ b as u32).wrapping_mul(16777619))
}

#[test]
fn superinstructions_compute_what_the_wasm_means() {
    for engine in engines() {
        let (_, mut store, inst) = setup(&engine, MODULE);
        let s = &mut store;
        let mem = inst.get_memory(&*s, "memory").unwrap();
        let data: Vec<u8> = (0..=255u8).map(|b| b.wrapping_mul(37).wrapping_add(11)).collect();
        mem.write(&mut *s, 0, &data).unwrap();
        let word = |a: usize| u32::from_le_bytes(data[a..a + 4].try_into().unwrap()) as i32;

        let elem = inst.get_typed_func::<i32, i32>(&*s, "elem").unwrap();
        assert_eq!(elem.call(&mut *s, 3).unwrap(), word(64 + 12 + 4));
        // (0x4000_0000 << 2) wraps to 0: address 64 + 4.
        assert_eq!(elem.call(&mut *s, 0x4000_0000).unwrap(), word(68));
        // -16 << 2 = -64: the add wraps to 0 before the offset applies.
        assert_eq!(elem.call(&mut *s, -16).unwrap(), word(4));
        // The last in-bounds word, then one past it.
        assert!(elem.call(&mut *s, (65536 - 4 - 68) / 4).is_ok());
        let err = elem.call(&mut *s, (65536 - 4 - 68) / 4 + 1).unwrap_err();
        assert!(err.to_string().contains("out of bounds"), "{err}");

        let elem8 = inst.get_typed_func::<i32, i64>(&*s, "elem8").unwrap();
        assert_eq!(elem8.call(&mut *s, 5).unwrap(), data[140] as i8 as i64);
        assert_eq!(elem8.call(&mut *s, 7).unwrap(), data[156] as i8 as i64);

        let two = |s: &mut Store<()>, name: &str, a: i32, b: i32| {
            inst.get_typed_func::<(i32, i32), i32>(&*s, name).unwrap().call(s, (a, b)).unwrap()
        };
        assert_eq!(two(s, "add_shl_ll", 1000, 7), 1028);
        assert_eq!(two(s, "add_shl_ll", 1, -1), -3);
        assert_eq!(two(s, "add_shl_ll", i32::MAX, 1 << 29), i32::MAX.wrapping_add(i32::MIN));
        assert_eq!(two(s, "add_shl_li", 9, 5), 81 + 10);
        assert_eq!(two(s, "add_shl_li", 0x10000, 3), 6); // 0x10000 squared wraps to 0
        assert_eq!(two(s, "add_l_shl_imm", 5, 2), 5 + 96);
        assert_eq!(two(s, "add_l_shl_imm", 0, 0x1000_0000), (0x3000_0000u32 << 4) as i32);
        assert_eq!(two(s, "add_shl_imm", 3, 0), 9 + i32::MIN);
        assert_eq!(two(s, "add_shl_imm", 3, 1), 9);

        for (p, n) in [(0, 0), (0, 1), (10, 40), (100, 78)] {
            let got = two(s, "fnv2", p, n) as u32;
            assert_eq!(got, fnv2(&data[p as usize..(p + 2 * n) as usize]), "fnv2({p}, {n})");
        }

        let mac = inst.get_typed_func::<(i32, i32, i32), i32>(&*s, "mac").unwrap();
        assert_eq!(mac.call(&mut *s, (3, 4, 5)).unwrap(), 12 + 20);
        let (a, b, c) = (0x1234_5678i32, -7i32, 0x7fff_ffffi32);
        let want = a.wrapping_mul(b).wrapping_add(a.wrapping_add(1).wrapping_mul(c));
        assert_eq!(mac.call(&mut *s, (a, b, c)).unwrap(), want);

        mem.write(&mut *s, 1000, b"wisp\0").unwrap();
        let strlen = inst.get_typed_func::<i32, i32>(&*s, "strlen").unwrap();
        assert_eq!(strlen.call(&mut *s, 1000).unwrap(), 4);
        assert_eq!(strlen.call(&mut *s, 1004).unwrap(), 0);
        // No zero before the end of memory: the byte load past it traps.
        mem.write(&mut *s, 65530, &[1; 6]).unwrap();
        let err = strlen.call(&mut *s, 65530).unwrap_err();
        assert!(err.to_string().contains("out of bounds"), "{err}");

        let flag3 = inst.get_typed_func::<i32, i32>(&*s, "flag3").unwrap();
        mem.write(&mut *s, 2000, &[0, 0, 0, 9, 0]).unwrap();
        assert_eq!(flag3.call(&mut *s, 2000).unwrap(), 1);
        assert_eq!(flag3.call(&mut *s, 2001).unwrap(), 0);
        // -3 + 3 wraps to address 0 (data[0] = 11, set).
        assert_eq!(flag3.call(&mut *s, -3).unwrap(), 1);
        let err = flag3.call(&mut *s, 65533).unwrap_err();
        assert!(err.to_string().contains("out of bounds"), "{err}");

        let copies = inst.get_typed_func::<(i32, i32, i32, i32), i64>(&*s, "copies").unwrap();
        // b = a = 1, c = b = 1, a = d = 4: ((4 << 16) + 1) << 32 | 1.
        assert_eq!(copies.call(&mut *s, (1, 2, 3, 4)).unwrap(), (((4 << 16) + 1) << 32) | 1);

        let step_ll64 = inst.get_typed_func::<(i64, i64, i64), i64>(&*s, "step_ll64").unwrap();
        let want64 = |mut j: u64, by: u64, n: u64| {
            let mut cnt = 0u64;
            loop {
                cnt += 1;
                j = j.wrapping_add(by);
                if j >= n {
                    return (cnt << 32).wrapping_add(j) as i64;
                }
            }
        };
        for (j, by, n) in [
            (0u64, 7u64, 100u64),
            (5, 5, 5),
            (0xffff_fff0, 8, 0x1_0000_0010),
            (u64::MAX - 3, 2, u64::MAX - 1),
            (u64::MAX - 1, 4, 10),
        ] {
            assert_eq!(
                step_ll64.call(&mut *s, (j as i64, by as i64, n as i64)).unwrap(),
                want64(j, by, n),
                "{j} {by} {n}"
            );
        }
        let step_ll32 = inst.get_typed_func::<(i32, i32, i32), i32>(&*s, "step_ll32").unwrap();
        assert_eq!(step_ll32.call(&mut *s, (0, 3, 30)).unwrap(), 10);
        // Wrapping at 32 bits: 0xffff_fff8, 0, 8.
        assert_eq!(step_ll32.call(&mut *s, (-16, 8, 8)).unwrap(), 3);

        let crc_step = inst.get_typed_func::<(i32, i32), i32>(&*s, "crc_step").unwrap();
        let crc = |mut c: u32, n: u32| {
            for _ in 0..n {
                let t = c << 1;
                c = if (c << 16) as i32 >> 16 < 0 { t ^ 0x1021 } else { t };
            }
            c as i32
        };
        for (c, n) in [(0x8000, 1), (0x1234, 8), (0xffff_ffff, 40), (0x4000, 3)] {
            assert_eq!(crc_step.call(&mut *s, (c as i32, n as i32)).unwrap(), crc(c, n), "{c:#x} {n}");
        }

        let ext = inst.get_typed_func::<i32, i32>(&*s, "ext").unwrap();
        for x in [0i32, 0x7fff, 0x8000 - 1, 0x1_2345, -1, 0x55, 0x2b] {
            let want = ((x + 1) as i16 as i32) ^ (((x.wrapping_mul(3)) as i8 as i32) << 16);
            assert_eq!(ext.call(&mut *s, x).unwrap(), want, "{x:#x}");
        }

        let signs = inst.get_typed_func::<(i32, i64), i32>(&*s, "signs").unwrap();
        for (x, y) in [(0i32, 0i64), (0xb505, -1), (0x10000, i64::MIN), (46341, i64::MAX), (3, -5)] {
            let want = ((((x.wrapping_mul(x)) >> 7) < 0) as i32) * 2 + ((y >> 63) >= 0) as i32;
            assert_eq!(signs.call(&mut *s, (x, y)).unwrap(), want, "{x} {y}");
        }

        let selects = inst.get_typed_func::<(i32, i32, i32), i32>(&*s, "selects").unwrap();
        assert_eq!(selects.call(&mut *s, (1, 2, 1)).unwrap(), 1 + 2000);
        assert_eq!(selects.call(&mut *s, (1, 2, 0)).unwrap(), 2 + 1000);
    }
}

/// Fixed-point multiply-accumulate from int16 loads and one-bit tests (CoreMark-style matrix
/// and CRC code).
const MAC_AND_BITS: &str = r#"(module
  (memory 1)
  (data (i32.const 0) "\fe\ff\10\00\00\80")
  ;; 0: a[p] * w0 + a[p + 2] * w1 + a[q] * w0, int16 loads (the last two fused).
  (func (export "dot16") (param $p i32) (param $q i32) (param $w0 i32) (param $w1 i32) (result i32)
    (i32.add
      (i32.add (i32.mul (i32.load16_s (local.get $p)) (local.get $w0))
               (i32.mul (i32.load16_s (i32.add (local.get $p) (i32.const 2))) (local.get $w1)))
      (i32.mul (i32.load16_s (local.get $q)) (local.get $w0))))
  ;; 1: bit 15 of x, as clang tests it: (x << 16) < 0.
  (func (export "bit15") (param $x i32) (result i32)
    (i32.lt_s (i32.shl (local.get $x) (i32.const 16)) (i32.const 0)))
  ;; 2: a computed value shifted by 36 (36 mod 32 = 4): bit 27 of x + 1.
  (func (export "bit27") (param $x i32) (result i32)
    (i32.lt_s (i32.shl (i32.add (local.get $x) (i32.const 1)) (i32.const 36)) (i32.const 0)))
  ;; 3: a shift by 32 is no shift: a sign test, left a comparison.
  (func (export "sign") (param $x i32) (result i32)
    (i32.lt_s (i32.shl (local.get $x) (i32.const 32)) (i32.const 0)))
)"#;

#[test]
fn mac_and_bits_compute_what_the_wasm_means() {
    for engine in engines() {
        let (_, mut store, inst) = setup(&engine, MAC_AND_BITS);
        let s = &mut store;
        let dot = inst.get_typed_func::<(i32, i32, i32, i32), i32>(&*s, "dot16").unwrap();
        // Memory: -2 at 0, 16 at 2, 0 at 3..4 and -32768 at 4 (int16, little-endian).
        assert_eq!(dot.call(&mut *s, (0, 4, 3, 5)).unwrap(), -2 * 3 + 16 * 5 + -32768 * 3);
        assert_eq!(dot.call(&mut *s, (2, 0, 7, -1)).unwrap(), 16 * 7 + -32768 * -1 + -2 * 7);
        // Products and sums wrap at 32 bits: twice -32768 * 0x10000 (plus 0 from 6) is 0.
        assert_eq!(dot.call(&mut *s, (4, 4, 0x10000, 1)).unwrap(), (-32768i32).wrapping_mul(0x10000).wrapping_mul(2));
        // Out of bounds: the fused load of q at the last byte of memory traps.
        assert!(dot.call(&mut *s, (0, 65535, 1, 1)).is_err());
        assert!(dot.call(&mut *s, (65533, 0, 1, 1)).is_err()); // p + 2 = 65535: crosses the end
        let bit15 = inst.get_typed_func::<i32, i32>(&*s, "bit15").unwrap();
        let bit27 = inst.get_typed_func::<i32, i32>(&*s, "bit27").unwrap();
        let sign = inst.get_typed_func::<i32, i32>(&*s, "sign").unwrap();
        for x in [0, 1, 0x7fff, 0x8000, 0xffff, -1, i32::MIN, 0x0800_0000 - 1, 0x0800_0000, 0x1234_5678] {
            assert_eq!(bit15.call(&mut *s, x).unwrap(), (x >> 15) & 1, "bit15({x:#x})");
            assert_eq!(bit27.call(&mut *s, x).unwrap(), (x.wrapping_add(1) >> 27) & 1, "bit27({x:#x})");
            assert_eq!(sign.call(&mut *s, x).unwrap(), (x < 0) as i32, "sign({x:#x})");
        }
    }
}

/// A `switch` on a value loaded from an array: the load and the `br_table` fuse when no entry
/// adjusts the stack.
const SWITCH: &str = r#"(module
  (memory 1)
  (data (i32.const 16) "\00\00\00\00\01\00\00\00\05\00\00\00")
  ;; 0: code[i] for an i32 array at 16: 0 -> 10, 1 -> 20, anything else -> 30. An instruction
  ;; comes before the table (the threaded backend's targets count from the table's head).
  (func (export "switch") (param $i i32) (result i32)
    (local.set $i (i32.xor (local.get $i) (i32.const 0)))
    (block $d
      (block $b1
        (block $b0
          (br_table $b0 $b1 $d (i32.load (i32.add (i32.shl (local.get $i) (i32.const 2)) (i32.const 16)))))
        (return (i32.const 10)))
      (return (i32.const 20)))
    (i32.const 30))
  ;; 1: entries that carry a value and drop one below it: not fused.
  (func (export "switch_adjust") (param $i i32) (result i32)
    (block $b (result i32)
      (i32.const 7)
      (i32.const 9)
      (br_table $b $b (i32.load (i32.add (i32.shl (local.get $i) (i32.const 2)) (i32.const 16))))))
)"#;

#[test]
fn switch_on_a_loaded_value() {
    let module = Module::new(&Engine::default(), wat(SWITCH)).expect("valid");
    let plain = module.disassemble(0).unwrap();
    assert!(plain.contains("BrTableLoadScaled { index: 0, shift: 2, imm: 16, len: 2 }"), "{plain}");
    let adjust = module.disassemble(1).unwrap();
    assert!(adjust.contains("I32Load_X") && adjust.contains("BrTableAdjust"), "{adjust}");
    for engine in engines() {
        let (_, mut store, inst) = setup(&engine, SWITCH);
        let s = &mut store;
        let switch = inst.get_typed_func::<i32, i32>(&*s, "switch").unwrap();
        assert_eq!(switch.call(&mut *s, 0).unwrap(), 10);
        assert_eq!(switch.call(&mut *s, 1).unwrap(), 20);
        // code[2] is 5: past the table, the default.
        assert_eq!(switch.call(&mut *s, 2).unwrap(), 30);
        // Zeroed memory past the data: code[3] is 0.
        assert_eq!(switch.call(&mut *s, 3).unwrap(), 10);
        // The address wraps at 32 bits: 0x4000_0001 << 2 is 4, plus 16 reads code[1].
        assert_eq!(switch.call(&mut *s, 0x4000_0001).unwrap(), 20);
        // 16380 << 2 + 16 = 65536: the load is out of bounds.
        let trap = switch.call(&mut *s, 16380).unwrap_err();
        assert!(trap.to_string().contains("out of bounds"), "{trap}");
        let switch_adjust = inst.get_typed_func::<i32, i32>(&*s, "switch_adjust").unwrap();
        assert_eq!(switch_adjust.call(&mut *s, 0).unwrap(), 9);
        assert_eq!(switch_adjust.call(&mut *s, 2).unwrap(), 9);
    }
}

/// Cases of a `switch` in a loop that go back to its dispatch: each `br` to the loop's
/// `br_table` (after the header's copy and step of locals) runs the table itself (`BrToTableLoadScaled` when the table's index is loaded
/// from an array, `BrToTableLocal` when it is a local).
const DISPATCH_LOOPS: &str = r#"(module
  (memory 1)
  ;; A program at 64 (i32 words): ops 0 halt, 1 add the next word, 2 double, 3 jump to the
  ;; word after it (a word index), 4 and more: the default, which returns -1. Words 9 and 10
  ;; jump past the memory's end.
  (data (i32.const 64) "\01\00\00\00\05\00\00\00\02\00\00\00\03\00\00\00\06\00\00\00\02\00\00\00\01\00\00\00\03\00\00\00\00\00\00\00\03\00\00\00\fc\3f\00\00")
  ;; 0: runs the program from word $pc with accumulator $acc; the header fetches as clang's
  ;; `op = code[pc++]` does (a copy and a step of locals before the table).
  (func (export "vm") (param $pc i32) (param $acc i32) (result i32) (local $at i32)
    (loop $next
      (local.set $at (local.get $pc))
      (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
      (block $default
        (block $jump
          (block $double
            (block $add
              (block $halt
                (br_table $halt $add $double $jump $default
                  (i32.load (i32.add (i32.shl (local.get $at) (i32.const 2)) (i32.const 64)))))
              (return (local.get $acc)))
            ;; add
            (local.set $acc (i32.add (local.get $acc)
              (i32.load (i32.add (i32.shl (local.get $pc) (i32.const 2)) (i32.const 64)))))
            (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
            (br $next))
          ;; double
          (local.set $acc (i32.shl (local.get $acc) (i32.const 1)))
          (br $next))
        ;; jump
        (local.set $pc (i32.load (i32.add (i32.shl (local.get $pc) (i32.const 2)) (i32.const 64))))
        (br $next)))
    (i32.const -1))
  ;; 1: a state machine on a local: state 0 adds 3 and goes to 1, 1 doubles and goes to 2 while
  ;; the value is below $limit (else to 3), 2 subtracts 1 and goes to 0, 3 (and the default)
  ;; returns the value.
  (func (export "states") (param $limit i32) (result i32) (local $state i32) (local $v i32)
    (loop $next
      (block $done
        (block $s2
          (block $s1
            (block $s0
              (br_table $s0 $s1 $s2 $done (local.get $state)))
            (local.set $v (i32.add (local.get $v) (i32.const 3)))
            (local.set $state (i32.const 1))
            (br $next))
          (local.set $v (i32.shl (local.get $v) (i32.const 1)))
          (local.set $state (select (i32.const 2) (i32.const 3) (i32.lt_u (local.get $v) (local.get $limit))))
          (br $next))
        (local.set $v (i32.sub (local.get $v) (i32.const 1)))
        (local.set $state (i32.const 0))
        (br $next)))
    (local.get $v))
)"#;

#[test]
fn cases_branch_into_their_dispatch() {
    let module = Module::new(&Engine::default(), wat(DISPATCH_LOOPS)).expect("valid");
    let vm = module.disassemble(0).unwrap();
    assert_eq!(vm.matches("BrToTableLoadScaled").count(), 3, "{vm}");
    assert!(!vm.contains("Br {"), "{vm}");
    // The header's copy and step run again before each of them.
    assert_eq!(vm.matches("LocalCopy { src: 0, dst: 2 }").count(), 4, "{vm}");
    // The cases that set a constant state are resume jumps, threaded straight to their case
    // (`LocalSetImmBr`); the one that computes its state runs the table.
    let states = module.disassemble(1).unwrap();
    assert_eq!(states.matches("BrToTableLocal").count(), 1, "{states}");
    assert_eq!(states.matches("LocalSetImmBr").count(), 2, "{states}");
    // With fuel the loop starts with its metering: the `br`s stay.
    let mut config = Config::new();
    config.consume_fuel(true);
    let metered = Module::new(&Engine::new(&config), wat(DISPATCH_LOOPS)).expect("valid");
    assert!(!metered.disassemble(0).unwrap().contains("BrTo"));
    let states_of = |limit: i32| {
        let (mut v, mut state) = (0i32, 0);
        loop {
            match state {
                0 => (v, state) = (v.wrapping_add(3), 1),
                1 => {
                    v = v.wrapping_shl(1);
                    state = if (v as u32) < limit as u32 { 2 } else { 3 };
                }
                2 => (v, state) = (v.wrapping_sub(1), 0),
                _ => return v,
            }
        }
    };
    for engine in engines() {
        let (_, mut store, inst) = setup(&engine, DISPATCH_LOOPS);
        let s = &mut store;
        let run = inst.get_typed_func::<(i32, i32), i32>(&*s, "vm").unwrap();
        // add 5, double, jump to 6 (add 3), halt: (1 + 5) * 2 + 3.
        assert_eq!(run.call(&mut *s, (0, 1)).unwrap(), 15);
        // From word 2: double, jump, add 3, halt.
        assert_eq!(run.call(&mut *s, (2, 4)).unwrap(), 11);
        // Word 4 is 6: past the table, the default.
        assert_eq!(run.call(&mut *s, (4, 4)).unwrap(), -1);
        // A fetch past the memory's end after a `br` traps at the table's operator, as the
        // loop's first fetch does: word 9 jumps to word 16380, at 16380 * 4 + 64 = 65584.
        let after_br = run.call(&mut *s, (9, 0)).unwrap_err().to_string();
        let first = run.call(&mut *s, (16380, 0)).unwrap_err().to_string();
        assert!(after_br.contains("out of bounds"), "{after_br}");
        assert_eq!(after_br, first);
        let states = inst.get_typed_func::<i32, i32>(&*s, "states").unwrap();
        for limit in [0, 1, 10, 1000, 123_456, i32::MAX] {
            assert_eq!(states.call(&mut *s, limit).unwrap(), states_of(limit), "states({limit})");
        }
    }
}

/// A result teed into a local by the binop forms with a local left operand (`OpLSTee`) or a
/// local and a constant (`OpLITee`).
const TEES: &str = r#"(module
  ;; 0: t = a - (b << 1), then t + t (a product would be one instruction with the sub).
  (func (export "ls_tee") (param $a i32) (param $b i32) (result i32) (local $t i32)
    (i32.add (local.tee $t (i32.sub (local.get $a) (i32.shl (local.get $b) (i32.const 1)))) (local.get $t)))
  ;; 1: t = x * -3 (i64), then t + (t >> 1).
  (func (export "li_tee") (param $x i64) (result i64) (local $t i64)
    (i64.add (local.tee $t (i64.mul (local.get $x) (i64.const -3))) (i64.shr_s (local.get $t) (i64.const 1))))
  ;; 2: a constant that does not fit in 32 bits: kept whole, beside locals of 16 bits.
  (func (export "li_tee_wide") (param $x i64) (result i64) (local $t i64)
    (i64.add (local.tee $t (i64.xor (local.get $x) (i64.const 0x1_0000_0001))) (local.get $t)))
)"#;

#[test]
fn tees_of_local_operand_forms() {
    let module = Module::new(&Engine::default(), wat(TEES)).expect("valid");
    let code = |f: u32| module.disassemble(f).unwrap();
    assert!(code(0).contains("I32Sub_LS_Set { a: 0, dst: 2 }"), "{}", code(0));
    assert!(code(1).contains("I64Mul_LI_Set { a: 0, imm: 18446744073709551613, dst: 1 }"), "{}", code(1));
    assert!(code(2).contains("I64Xor_LI_Set { a: 0, imm: 4294967297, dst: 1 }"), "{}", code(2));
    for engine in engines() {
        let (_, mut store, inst) = setup(&engine, TEES);
        let s = &mut store;
        let ls_tee = inst.get_typed_func::<(i32, i32), i32>(&*s, "ls_tee").unwrap();
        assert_eq!(ls_tee.call(&mut *s, (10, 3)).unwrap(), 8);
        assert_eq!(ls_tee.call(&mut *s, (i32::MIN, 1)).unwrap(), i32::MIN.wrapping_sub(2).wrapping_mul(2));
        let li_tee = inst.get_typed_func::<i64, i64>(&*s, "li_tee").unwrap();
        for x in [0i64, 7, -7, i64::MAX, i64::MIN] {
            let t = x.wrapping_mul(-3);
            assert_eq!(li_tee.call(&mut *s, x).unwrap(), t.wrapping_add(t >> 1), "li_tee({x})");
        }
        let wide = inst.get_typed_func::<i64, i64>(&*s, "li_tee_wide").unwrap();
        assert_eq!(wide.call(&mut *s, 1).unwrap(), 0x2_0000_0000);
    }
}

/// Go's shape: a loop around a `br_table` on the block local `$pc`, whose blocks jump to each
/// other with `pc = k; br $top` and `if cond { pc = k; br $top }`. A Collatz walk that
/// counts its steps in `$acc`: the tests of a local, a comparison under `eqz`, a test of a
/// computed value negated, and a bare `if` on a computed value each take the jump themselves.
const GOTO: &str = r#"(module
  (func (export "go") (param $n i64) (result i64) (local $pc i32) (local $acc i64)
    (loop $top
      (block $b4 (block $b3 (block $b2 (block $b1 (block $b0
        (br_table $b0 $b1 $b2 $b3 $b4 (local.get $pc)))
        ;; 0: if n == 0 goto 4
        (if (i64.eqz (local.get $n)) (then (local.set $pc (i32.const 4)) (br $top)))
        (local.set $acc (i64.add (local.get $acc) (i64.const 1)))
        (local.set $pc (i32.const 1)) (br $top))
        ;; 1: if n & 1 goto 2 (the `if` on an i32 computed onto the stack); n /= 2; goto 3
        (if (i32.wrap_i64 (i64.and (local.get $n) (i64.const 1))) (then (local.set $pc (i32.const 2)) (br $top)))
        (local.set $n (i64.shr_u (local.get $n) (i64.const 1)))
        (local.set $pc (i32.const 3)) (br $top))
        ;; 2: n = 3n + 1; goto 3
        (local.set $n (i64.add (i64.mul (local.get $n) (i64.const 3)) (i64.const 1)))
        (local.set $acc (i64.add (local.get $acc) (i64.const 1000)))
        (local.set $pc (i32.const 3)) (br $top))
      ;; 3: if !(n > 1) goto 4; if n >> 40 != 0 goto 4; goto 0
      (if (i32.eqz (i64.gt_u (local.get $n) (i64.const 1))) (then (local.set $pc (i32.const 4)) (br $top)))
      (if (i32.eqz (i64.eqz (i64.shr_u (local.get $n) (i64.const 40)))) (then (local.set $pc (i32.const 4)) (br $top)))
      (local.set $pc (i32.const 0)) (br $top)))
    ;; 4: done
    (i64.add (i64.shl (local.get $acc) (i64.const 8)) (local.get $n)))
)"#;

fn go_walk(mut n: u64) -> u64 {
    let (mut pc, mut acc) = (0, 0u64);
    loop {
        match pc {
            0 if n == 0 => pc = 4,
            0 => (acc, pc) = (acc + 1, 1),
            1 if n & 1 != 0 => pc = 2,
            1 => (n, pc) = (n >> 1, 3),
            2 => (n, acc, pc) = (n.wrapping_mul(3).wrapping_add(1), acc + 1000, 3),
            3 if n <= 1 || n >> 40 != 0 => pc = 4,
            3 => pc = 0,
            _ => return (acc << 8).wrapping_add(n),
        }
    }
}

#[test]
fn go_conditional_jumps_set_their_block_and_jump() {
    let module = Module::new(&Engine::default(), wat(GOTO)).expect("valid");
    let code = module.disassemble(0).unwrap();
    // Every conditional jump is one instruction (both polarities), threaded to its block.
    assert!(code.contains("I64Eqz_L_Goto {"), "{code}");
    assert!(code.contains("I64LeU_LI_Goto {"), "{code}");
    assert!(code.contains("I64Eqz_S_GotoNot {"), "{code}");
    assert!(code.contains("I32Eqz_S_GotoNot {"), "{code}");
    assert!(!code.contains("LocalSetImmBr { index: 1, value: 4"), "{code}");
    assert!(!code.contains("LocalSetImmBr { index: 1, value: 2"), "{code}");
    let inputs = [0u64, 1, 2, 6, 27, 97, 1 << 41, (1 << 41) + 1, u64::MAX];
    for engine in engines() {
        let (_, mut store, inst) = setup(&engine, GOTO);
        let go = inst.get_typed_func::<i64, i64>(&store, "go").unwrap();
        for n in inputs {
            assert_eq!(go.call(&mut store, n as i64).unwrap() as u64, go_walk(n), "go({n})");
        }
    }
    // With fuel the `if`s stay: the jump would skip the metering at the `end`; the fuel spent
    // is what the plain translation meters.
    for d in [Dispatch::Portable, Dispatch::Threaded] {
        let mut config = Config::new();
        config.dispatch(d).consume_fuel(true);
        let engine = Engine::new(&config);
        let (module, mut store, inst) = setup(&engine, GOTO);
        assert!(!module.disassemble(0).unwrap().contains("Goto"));
        let go = inst.get_typed_func::<i64, i64>(&store, "go").unwrap();
        let mut spent = Vec::new();
        for n in inputs {
            store.set_fuel(1_000_000).unwrap();
            assert_eq!(go.call(&mut store, n as i64).unwrap() as u64, go_walk(n), "go({n}) with fuel");
            spent.push(1_000_000 - store.get_fuel().unwrap());
        }
        assert_eq!(spent, FUEL_SPENT, "{d:?}");
    }
}

/// Fuel `go` spends on each input: with fuel on the `if`s are translated as before the
/// conditional jumps (`idioms::goto` looks at nothing), so these are that translation's counts.
const FUEL_SPENT: [u64; 9] = [28, 223, 72, 581, 8195, 8704, 81, 94, 94];
