//! `roadie`: the engine on the command line. Every command takes `--json` for machine output;
//! failures print one line on stderr and exit non-zero.

mod args;
mod fans;
mod ledger;
mod run;
mod team;
mod text;

use clap::Parser;
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let json = cli.json;
    match run::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // A batch that already printed its per-file results (with their errors) on stdout.
            let reported = matches!(err, roadie::Error::AssetsFailed { .. } | roadie::Error::StatementsFailed { .. });
            if json && !reported {
                let payload = serde_json::json!({ "error": err.payload() });
                println!("{payload}");
            }
            eprintln!("roadie: {} [{}]", err, err.code());
            ExitCode::FAILURE
        }
    }
}
