//! The checked-in instruction set is what the description generates.

#[test]
fn generated_isa_is_current() {
    let path = wisp_isagen::output_path();
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == wisp_isagen::generate(),
        "{} is stale: run `cargo run -p wisp-isagen` and commit the result",
        path.display()
    );
}
