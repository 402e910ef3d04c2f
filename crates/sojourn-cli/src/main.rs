//! The `sojourn` binary; everything lives in the library so tests can call
//! the same functions the commands do.

fn main() -> std::process::ExitCode {
    sojourn_cli::main()
}
