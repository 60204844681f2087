//! Validates one file many times, for profiling (`perf record`).
fn main() {
    let path = std::env::args().nth(1).expect("a .wasm file");
    let n: usize = std::env::args().nth(2).map_or(50, |s| s.parse().unwrap());
    let bytes = std::fs::read(&path).unwrap();
    for _ in 0..n {
        let m = wisp_decoder::Module::parse(&bytes).unwrap();
        std::hint::black_box(wisp_validator::validate(&m).unwrap());
    }
}
