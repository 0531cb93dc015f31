//! The `switchboard` binary. See `switchboard --help`.

use clap::Parser;

fn main() {
    let cli = switchboard::cli::Cli::parse();
    if let Err(e) = switchboard::cli::run(cli) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
