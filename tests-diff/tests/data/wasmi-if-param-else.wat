(module
  (type (;0;) (func (param externref)))
  (type (;1;) (func (param f64) (result i64 f64)))
  (memory (;0;) 0 5)
  (func (;0;) (type 1) (param f64) (result i64 f64) (i64.const 0) (f64.const 0))
  (func (;1;) (type 1) (param f64) (result i64 f64) (i64.const 0) (f64.const 0))
  (func (;2;) (type 1) (param f64) (result i64 f64) (i64.const 0) (f64.const 0))
  (func (;3;) (type 1) (param f64) (result i64 f64)
    (local f64 f64 f32 f64 f32)
    global.get 4
    if  ;; label = @1
    end
    global.get 4
    i32.const 1
    i32.sub
    global.set 4
    memory.size
    memory.size
    local.get 0
    i64.reinterpret_f64
    i64.const 2007655859124245901
    i32.wrap_i64
    f64.convert_i32_u
    memory.size
    if (param f64) (result i64 f64)  ;; label = @1
      i32.trunc_sat_f64_u
      f64.const -nan:0xfffffffffffff (;=-nan;)
      memory.size
      f32.const 0x1.p-134 (;=4.59177e-41;)
      i64.trunc_sat_f32_u
      f64.const 0x1.f92c36e7543bfp-138 (;=5.66318e-42;)
      f64.const 0x1.p-1040 (;=8.48798e-314;)
      f64.const nan (;=nan;)
      local.get 1
      local.get 1
      f64.eq
      select
      local.get 2
      local.get 2
      f64.eq
      select
      i32.trunc_sat_f64_u
      i64.load8_u
      i64.gt_u
      i64.extend_i32_s
      f64.reinterpret_i64
      f32.const -0x1p+1 (;=-2;)
      local.get 0
      f32.demote_f64
      f32.const 0x1p-123 (;=9.40395e-38;)
      f32.const nan (;=nan;)
      local.get 3
      local.get 3
      f32.eq
      select
      memory.size
      ref.null extern
      block (param externref)  ;; label = @2
        loop (result f32)  ;; label = @3
          global.get 4
          if  ;; label = @4
          end
          global.get 4
          global.set 4
          f64.const -0x1.3d3f5bd18f8a1p-822 (;=-4.431e-248;)
          memory.size
          f32.convert_i32_u
          i32.trunc_f32_s
          i64.load8_u
          f64.reinterpret_i64
          call 4
          memory.size
          loop (result f64)  ;; label = @4
            global.get 4
            f32.load
            f64.promote_f32
          end
          i64.reinterpret_f64
          global.set 2
          global.set 1
          i64.reinterpret_f64
          global.set 2
          global.set 3
          i64.reinterpret_f64
          global.set 2
          f32.const -0x1.e2ec72p+67 (;=-2.78387e+20;)
        end
        i32.reinterpret_f32
        global.set 0
        drop
      end
      global.set 1
      i32.reinterpret_f32
      global.set 0
      i32.reinterpret_f32
      global.set 0
      i32.reinterpret_f32
      global.set 0
      i64.reinterpret_f64
      global.set 2
      global.set 1
      i64.reinterpret_f64
      global.set 2
      global.set 1
      i64.const 54
      f64.const -0x1.3ffd4f4a24264p-386 (;=-7.93081e-117;)
    else
      i64.reinterpret_f64
      global.get 2
      i64.xor
      global.set 2
      i64.const -1680897632801844624
      f64.const 0x1.424f203508996p+226 (;=1.35772e+68;)
    end
    i64.reinterpret_f64
    i64.xor
    global.set 3
    global.set 3
    global.get 1
    i32.xor
    global.set 1
    global.set 1
    i64.const -128
    f64.const -0x1.d98a0c0fd7257p-264 (;=-6.24018e-80;))
  (func (;4;) (type 1) (param f64) (result i64 f64) (i64.const 0) (f64.const 0))
  (global (;0;) (mut i32) (i32.const 0))
  (global (;1;) (mut i32) (i32.const 0))
  (global (;2;) (mut i64) (i64.const 0))
  (global (;3;) (mut i64) (i64.const 0))
  (global (;4;) (mut i32) (i32.const 10000))
  (export "3" (func 3))
  (export "13" (global 3))
  (export "wisp-difftest-fuel" (global 4)))