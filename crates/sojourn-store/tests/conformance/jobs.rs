//! Export and import jobs kept across restarts: read by their owner only,
//! ended once, marked when a server stopped under them, and swept once
//! expired.

use crate::harness::TestDb;
use serde_json::json;
use sojourn_store::jobs::{JobFailure, JobKind, JobRecord, JobStatus, interrupted_failure};
use time::{Duration, OffsetDateTime};

fn at(seconds: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_796_000_000 + seconds).expect("a time")
}

fn job(id: &str, kind: JobKind, owner: &str) -> JobRecord {
    JobRecord::running(
        id,
        kind,
        owner,
        "residents",
        Some(format!("{id}.csv")),
        json!({"download": "流动人口台账.csv"}),
        at(0),
        at(3600),
    )
}

pub fn a_job_is_kept_for_its_owner_and_ended_once(db: &TestDb) {
    let store = db.store();
    store
        .create_job_unscoped(&job("a1", JobKind::Export, "account:1"))
        .expect("kept");
    assert_eq!(
        store.job_unscoped("a1", "account:2").expect("read"),
        None,
        "another account's job is not there"
    );
    store
        .job_progress_unscoped("a1", 40, 100)
        .expect("progress");
    let read = store
        .job_unscoped("a1", "account:1")
        .expect("read")
        .expect("the owner's");
    assert_eq!(
        (read.status, read.rows, read.total),
        (JobStatus::Running, 40, 100)
    );
    assert_eq!(read.details, json!({"download": "流动人口台账.csv"}));
    assert_eq!(read.file.as_deref(), Some("a1.csv"));
    assert_eq!((read.started_at, read.expires_at), (at(0), at(3600)));

    assert!(
        store
            .finish_job_unscoped("a1", JobStatus::Done, 100, None, at(30))
            .expect("ended")
    );
    let failure = JobFailure {
        code: "late".into(),
        zh: "晚了".into(),
        en: "late".into(),
    };
    assert!(
        !store
            .finish_job_unscoped("a1", JobStatus::Failed, 0, Some(&failure), at(31))
            .expect("a second end"),
        "a job ends once"
    );
    store.job_progress_unscoped("a1", 1, 1).expect("ignored");
    let done = store
        .job_unscoped("a1", "account:1")
        .expect("read")
        .expect("kept");
    assert_eq!(
        (done.status, done.rows, done.total),
        (JobStatus::Done, 100, 100)
    );
    assert_eq!((done.finished_at, done.failure), (Some(at(30)), None));
}

pub fn jobs_left_running_by_a_stopped_server_are_marked_with_their_rows(db: &TestDb) {
    let store = db.store();
    for (id, kind) in [
        ("e1", JobKind::Export),
        ("i1", JobKind::Import),
        ("e2", JobKind::Export),
    ] {
        store
            .create_job_unscoped(&job(id, kind, "account:1"))
            .expect("kept");
    }
    store.job_progress_unscoped("i1", 500, 0).expect("progress");
    store
        .finish_job_unscoped("e2", JobStatus::Done, 7, None, at(5))
        .expect("ended");

    let marked = store
        .interrupt_running_jobs_unscoped(at(60))
        .expect("marked");
    let ids: Vec<&str> = marked.iter().map(|job| job.id.as_str()).collect();
    assert_eq!(ids, ["e1", "i1"], "a finished job is left as it is");

    let export = store
        .job_unscoped("e1", "account:1")
        .expect("read")
        .expect("kept");
    assert_eq!(export.status, JobStatus::Failed);
    assert_eq!(export.failure, Some(interrupted_failure(JobKind::Export)));
    assert_eq!(export.finished_at, Some(at(60)));
    let import = store
        .job_unscoped("i1", "account:1")
        .expect("read")
        .expect("kept");
    assert_eq!((import.status, import.rows), (JobStatus::Interrupted, 500));
    assert_eq!(import.failure, Some(interrupted_failure(JobKind::Import)));
    let done = store
        .job_unscoped("e2", "account:1")
        .expect("read")
        .expect("kept");
    assert_eq!((done.status, done.rows), (JobStatus::Done, 7));
    let imports = store
        .jobs_of_unscoped("account:1", JobKind::Import, 10)
        .expect("listed");
    assert_eq!(
        imports,
        std::slice::from_ref(&import),
        "only the owner's imports"
    );
    assert!(
        store
            .jobs_of_unscoped("account:2", JobKind::Import, 10)
            .expect("listed")
            .is_empty()
    );
    let mut newer = job("e3", JobKind::Export, "account:1");
    newer.started_at = at(10);
    store.create_job_unscoped(&newer).expect("kept");
    let exports: Vec<String> = store
        .jobs_of_unscoped("account:1", JobKind::Export, 2)
        .expect("listed")
        .into_iter()
        .map(|job| job.id)
        .collect();
    assert_eq!(exports, ["e3", "e1"], "newest first, at most the limit");
    let again = store
        .interrupt_running_jobs_unscoped(at(61))
        .expect("again");
    assert_eq!(again.len(), 1, "only the job started since");
}

pub fn expired_jobs_are_listed_unless_running_and_forgotten(db: &TestDb) {
    let store = db.store();
    let mut old = job("old", JobKind::Export, "account:1");
    old.expires_at = at(100);
    let mut running = job("run", JobKind::Import, "account:1");
    running.expires_at = at(100);
    let fresh = job("new", JobKind::Export, "account:1");
    for job in [&old, &running, &fresh] {
        store.create_job_unscoped(job).expect("kept");
    }
    store
        .finish_job_unscoped("old", JobStatus::Done, 1, None, at(10))
        .expect("ended");
    let expired = store
        .expired_jobs_unscoped(at(100) + Duration::seconds(1))
        .expect("expired");
    let ids: Vec<&str> = expired.iter().map(|job| job.id.as_str()).collect();
    assert_eq!(
        ids,
        ["old"],
        "a running job is never swept, a fresh one not yet"
    );
    store.forget_job_unscoped("old").expect("forgotten");
    assert_eq!(store.job_unscoped("old", "account:1").expect("read"), None);
    assert!(
        store
            .job_unscoped("new", "account:1")
            .expect("read")
            .is_some()
    );
}
