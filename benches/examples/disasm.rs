//! Prints wisp's bytecode for a function: `cargo run -p wisp-benches --example disasm -- FILE FUNC_INDEX`
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&args[1]).unwrap();
    let engine = wisp::Engine::default();
    let module = wisp::Module::new(&engine, &bytes).unwrap();
    let idx: u32 = args[2].parse().unwrap();
    print!("{}", module.disassemble(idx).unwrap());
}
