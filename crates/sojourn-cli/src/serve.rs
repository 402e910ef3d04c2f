//! `sojourn serve`: the web application for the deployment's root unit,
//! and the options it shares with `demo` (`--listen` and the security and
//! upload bounds).

use crate::db::Deployment;
use crate::error::{CliError, Result};
use clap::Args;
use sojourn_domain::services::family_planning::CheckWindows;
use sojourn_web::AppState;
use sojourn_web::auth::SecurityConfig;
use std::net::SocketAddr;

/// Where the server listens unless told otherwise: this machine only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

// The options of the commands that serve (`serve`, `demo`). (A plain
// comment: clap would take a doc comment for help text.)
#[derive(Debug, Args)]
pub(crate) struct ListenArg {
    /// Address and port to serve on.
    #[arg(long, default_value = DEFAULT_LISTEN)]
    pub(crate) listen: String,
    /// Users reach the server over HTTPS (through a TLS-terminating reverse
    /// proxy): mark the session cookie Secure and send HSTS.
    #[arg(long)]
    secure_cookies: bool,
    /// Address of a reverse proxy whose X-Forwarded-For names the client
    /// (repeat for several).
    #[arg(long = "trusted-proxy", value_name = "IP")]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// Reads of personal data (file reads, searches, reveals: each an
    /// audit entry) one account may make per minute; more are refused
    /// (429) until the minute is over. Bounds how fast an account can
    /// grow the audit trail.
    #[arg(long, value_name = "N", default_value_t = sojourn_web::auth::AUDITED_READS_PER_MINUTE,
          value_parser = clap::value_parser!(u32).range(1..))]
    audited_reads_per_minute: u32,
    /// Refuse an uploaded sheet of more rows than this (the unpacked size
    /// allowed of an .xlsx file grows with it); the default is a street's
    /// ledger. A larger register is loaded with `sojourn import`.
    #[arg(long, value_name = "ROWS", default_value_t = sojourn_sheets::bounds::DEFAULT_MAX_ROWS)]
    import_max_rows: u64,
    /// Directory of the export files and import reports, kept across
    /// restarts (created owner-only if missing). Relative to the working
    /// directory: the data directory when run as a service.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_JOBS_DIR)]
    jobs_dir: std::path::PathBuf,
    /// Hours an export's file and an import's report are kept after the
    /// job started; then they are overwritten and deleted.
    #[arg(long, value_name = "HOURS", default_value_t = DEFAULT_JOB_RETENTION_HOURS,
          value_parser = clap::value_parser!(u64).range(1..=24 * 366))]
    job_retention_hours: u64,
    /// Serve Prometheus metrics at http://ADDR/metrics, on this address
    /// alone (never on --listen). Off unless given; keep it on this
    /// machine or a monitoring network.
    #[arg(long, value_name = "ADDR")]
    pub(crate) metrics_addr: Option<String>,
    /// The months the three windows of the family-planning 三查 start in
    /// (the first January, each ending the day before the next starts).
    #[arg(long, value_name = "MONTHS", default_value = "1,5,9",
          value_parser = CheckWindows::parse)]
    pub(crate) check_windows: CheckWindows,
}

/// Where the jobs' files go unless told otherwise.
pub const DEFAULT_JOBS_DIR: &str = "jobs";
/// How long the jobs' files are kept unless told otherwise: a day, so an
/// export started in the afternoon can be fetched the next morning.
pub const DEFAULT_JOB_RETENTION_HOURS: u64 = 24;

impl ListenArg {
    pub(crate) fn security(&self) -> sojourn_web::auth::SecurityConfig {
        sojourn_web::auth::SecurityConfig {
            secure_cookies: self.secure_cookies,
            trusted_proxies: self.trusted_proxies.clone(),
            audited_reads: sojourn_web::auth::RateLimit {
                max: self.audited_reads_per_minute,
                per: time::Duration::minutes(1),
            },
            ..Default::default()
        }
    }

    pub(crate) fn import_limits(&self) -> sojourn_sheets::Limits {
        sojourn_sheets::Limits::for_rows(self.import_max_rows)
    }

    /// The jobs directory (created if missing) and retention.
    pub(crate) fn job_files(&self) -> Result<sojourn_web::jobs::JobFiles> {
        let keep = std::time::Duration::from_secs(self.job_retention_hours * 60 * 60);
        sojourn_web::jobs::JobFiles::new(self.jobs_dir.clone(), keep).map_err(|source| {
            CliError::File {
                path: self.jobs_dir.display().to_string(),
                source,
            }
        })
    }
}

/// Serves `deployment` on `listen` until Ctrl-C, printing the URL first;
/// uploads are bounded by `limits`; jobs keep their files in `jobs`.
/// Before it serves, the jobs a stopped server left running are marked
/// (`sojourn_web::jobs::recover`); expired ones are swept while it runs.
/// The 三查 falls in `windows`.
pub fn serve(
    deployment: Deployment,
    listen: &str,
    security: SecurityConfig,
    limits: sojourn_sheets::Limits,
    jobs: sojourn_web::jobs::JobFiles,
    metrics_addr: Option<&str>,
    windows: CheckWindows,
) -> Result<()> {
    sojourn_web::jobs::recover(deployment.store.as_ref(), &jobs)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CliError::Serve)?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|source| CliError::Listen {
                addr: listen.to_owned(),
                source,
            })?;
        let addr = listener.local_addr().map_err(CliError::Serve)?;
        let root = &deployment.root;
        println!(
            "Sojourn serves {} ({}) at {} — Ctrl-C stops it / 服务地址 {}，按 Ctrl-C 停止",
            root.name,
            root.code,
            url_of(addr),
            url_of(addr)
        );
        let state = AppState::new(deployment.store.clone())
            .with_security(security)
            .with_import_limits(limits)
            .with_job_files(jobs.clone())
            .with_check_windows(windows);
        tokio::spawn(sojourn_web::jobs::sweep_every(
            deployment.store.clone(),
            jobs,
        ));
        if let Some(addr) = metrics_addr {
            serve_metrics(addr, &state, deployment.store.clone()).await?;
        }
        sojourn_web::serve(listener, state)
            .await
            .map_err(CliError::Serve)
    })
}

/// Serves `/metrics` on `addr`, beside the application.
async fn serve_metrics(
    addr: &str,
    state: &AppState,
    store: std::sync::Arc<dyn sojourn_store::Store>,
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| CliError::Listen {
            addr: addr.to_owned(),
            source,
        })?;
    let bound = listener.local_addr().map_err(CliError::Serve)?;
    println!("Metrics at http://{bound}/metrics / 监控指标 http://{bound}/metrics");
    tokio::spawn(sojourn_web::metrics::serve(
        listener,
        std::sync::Arc::clone(&state.metrics),
        store,
    ));
    Ok(())
}

/// A URL a browser on this machine can open, also when listening on all
/// interfaces (0.0.0.0 is not an address to browse to).
fn url_of(addr: SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        format!("http://127.0.0.1:{}/ (all interfaces)", addr.port())
    } else {
        format!("http://{addr}/")
    }
}
