//! `roadie-platform serve --listen ADDR --database-url URL --storage DIR`

use clap::{Parser, Subcommand};

/// The server allocates through mimalloc, as the engine does (glibc's malloc was about a fifth of
/// a large push's CPU, across the runtime's threads).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::net::SocketAddr;

#[derive(Parser)]
#[command(name = "roadie-platform", version, about = "Roadie's platform API server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply the migrations and serve the API until SIGINT/SIGTERM.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "ROADIE_PLATFORM_LISTEN", default_value = "127.0.0.1:8787")]
        listen: SocketAddr,
        /// PostgreSQL connection URL.
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        /// Where uploaded objects go: a directory, or s3://BUCKET[/PREFIX] for S3 or an
        /// S3-compatible store (configured by AWS_ENDPOINT, AWS_ACCESS_KEY_ID, ...).
        #[arg(long, env = "ROADIE_PLATFORM_STORAGE")]
        storage: String,
        /// Log as JSON lines instead of text.
        #[arg(long, env = "ROADIE_PLATFORM_LOG_JSON")]
        log_json: bool,
    },
}

fn main() {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { listen, database_url, storage, log_json } => {
            let filter = tracing_subscriber::EnvFilter::try_from_env("ROADIE_PLATFORM_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
            if log_json {
                tracing_subscriber::fmt().json().with_env_filter(filter).init();
            } else {
                tracing_subscriber::fmt().with_env_filter(filter).init();
            }
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
            let config = roadie_platform::Config { listen, database_url, storage };
            if let Err(e) = rt.block_on(roadie_platform::serve(config)) {
                eprintln!("roadie-platform: {e}");
                std::process::exit(1);
            }
        }
    }
}
