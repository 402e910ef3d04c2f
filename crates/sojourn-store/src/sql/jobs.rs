//! Export and import jobs over any backend (the story is in
//! `crate::jobs`). Times are kept as Unix seconds: a job's clock needs no
//! finer grain, and both engines compare integers alike. Placeholders are
//! numbered in the order they first appear (SQLite binds by position).

use super::{Backend, Row, SqlStore, Tx, Value};
use crate::jobs::{JobFailure, JobKind, JobRecord, JobStatus, JobStore, interrupted_failure};
use crate::{Result, StoreError};
use time::OffsetDateTime;

const COLUMNS: &str = "id, kind, owner, subject, status, rows_done, rows_total, file, details, \
     failure_code, failure_zh, failure_en, started_at, finished_at, expires_at";

fn seconds(at: OffsetDateTime) -> Value {
    Value::Int(at.unix_timestamp())
}

fn count(n: u64) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

fn time_of(seconds: i64) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(seconds)
        .map_err(|e| StoreError::Corrupt(format!("job time {seconds}: {e}")))
}

fn record_of(row: &Row) -> Result<JobRecord> {
    let corrupt = |what: &str, value: &str| StoreError::Corrupt(format!("job {what} {value:?}"));
    let kind = row.text(1)?;
    let status = row.text(4)?;
    let failure = match (row.opt_text(9)?, row.opt_text(10)?, row.opt_text(11)?) {
        (Some(code), Some(zh), Some(en)) => Some(JobFailure {
            code: code.to_owned(),
            zh: zh.to_owned(),
            en: en.to_owned(),
        }),
        _ => None,
    };
    Ok(JobRecord {
        id: row.text(0)?.to_owned(),
        kind: JobKind::of_key(kind).ok_or_else(|| corrupt("kind", kind))?,
        owner: row.text(2)?.to_owned(),
        subject: row.text(3)?.to_owned(),
        status: JobStatus::of_key(status).ok_or_else(|| corrupt("status", status))?,
        rows: u64::try_from(row.int(5)?).unwrap_or(0),
        total: u64::try_from(row.int(6)?).unwrap_or(0),
        file: row.opt_text(7)?.map(str::to_owned),
        details: serde_json::from_str(row.text(8)?)
            .map_err(|e| StoreError::Corrupt(format!("job details: {e}")))?,
        failure,
        started_at: time_of(row.int(12)?)?,
        finished_at: row.opt_int(13)?.map(time_of).transpose()?,
        expires_at: time_of(row.int(14)?)?,
    })
}

fn select(tx: &mut dyn Tx, filter: &str, params: &[Value]) -> Result<Vec<JobRecord>> {
    tx.query(
        &format!("SELECT {COLUMNS} FROM jobs WHERE {filter}"),
        params,
    )?
    .iter()
    .map(record_of)
    .collect()
}

fn failure_values(failure: Option<&JobFailure>) -> [Value; 3] {
    match failure {
        Some(f) => [
            f.code.as_str().into(),
            f.zh.as_str().into(),
            f.en.as_str().into(),
        ],
        None => [Value::Null, Value::Null, Value::Null],
    }
}

impl<B: Backend> JobStore for SqlStore<B> {
    fn create_job_unscoped(&self, job: &JobRecord) -> Result<()> {
        let [code, zh, en] = failure_values(job.failure.as_ref());
        let params = [
            job.id.as_str().into(),
            job.kind.key().into(),
            job.owner.as_str().into(),
            job.subject.as_str().into(),
            job.status.key().into(),
            count(job.rows),
            count(job.total),
            job.file.as_deref().into(),
            job.details.to_string().into(),
            code,
            zh,
            en,
            seconds(job.started_at),
            job.finished_at.map(|at| at.unix_timestamp()).into(),
            seconds(job.expires_at),
        ];
        self.backend.write(|tx| {
            tx.execute(
                &format!(
                    "INSERT INTO jobs ({COLUMNS}) VALUES \
                     ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
                ),
                &params,
            )
            .map(drop)
        })
    }

    fn job_progress_unscoped(&self, id: &str, rows: u64, total: u64) -> Result<()> {
        self.backend.write(|tx| {
            tx.execute(
                "UPDATE jobs SET rows_done = $1, rows_total = $2 \
                 WHERE id = $3 AND status = 'running'",
                &[count(rows), count(total), id.into()],
            )
            .map(drop)
        })
    }

    fn finish_job_unscoped(
        &self,
        id: &str,
        status: JobStatus,
        rows: u64,
        failure: Option<&JobFailure>,
        at: OffsetDateTime,
    ) -> Result<bool> {
        let [code, zh, en] = failure_values(failure);
        self.backend.write(|tx| {
            let changed = tx.execute(
                "UPDATE jobs SET status = $1, rows_done = $2, failure_code = $3, \
                 failure_zh = $4, failure_en = $5, finished_at = $6 \
                 WHERE id = $7 AND status = 'running'",
                &[
                    status.key().into(),
                    count(rows),
                    code,
                    zh,
                    en,
                    seconds(at),
                    id.into(),
                ],
            )?;
            Ok(changed > 0)
        })
    }

    fn job_unscoped(&self, id: &str, owner: &str) -> Result<Option<JobRecord>> {
        self.backend.read(|tx| {
            Ok(
                select(tx, "id = $1 AND owner = $2", &[id.into(), owner.into()])?
                    .into_iter()
                    .next(),
            )
        })
    }

    fn jobs_of_unscoped(&self, owner: &str, kind: JobKind, limit: u32) -> Result<Vec<JobRecord>> {
        self.backend.read(|tx| {
            select(
                tx,
                "owner = $1 AND kind = $2 ORDER BY started_at DESC, id LIMIT $3",
                &[owner.into(), kind.key().into(), i64::from(limit).into()],
            )
        })
    }

    fn interrupt_running_jobs_unscoped(&self, at: OffsetDateTime) -> Result<Vec<JobRecord>> {
        self.backend.write(|tx| {
            let running = select(tx, "status = 'running' ORDER BY id", &[])?;
            let mut marked = Vec::with_capacity(running.len());
            for mut job in running {
                let status = match job.kind {
                    JobKind::Export => JobStatus::Failed,
                    JobKind::Import => JobStatus::Interrupted,
                };
                let failure = interrupted_failure(job.kind);
                let [code, zh, en] = failure_values(Some(&failure));
                tx.execute(
                    "UPDATE jobs SET status = $1, failure_code = $2, failure_zh = $3, \
                     failure_en = $4, finished_at = $5 WHERE id = $6",
                    &[
                        status.key().into(),
                        code,
                        zh,
                        en,
                        seconds(at),
                        job.id.as_str().into(),
                    ],
                )?;
                job.status = status;
                job.failure = Some(failure);
                job.finished_at = Some(time_of(at.unix_timestamp())?);
                marked.push(job);
            }
            Ok(marked)
        })
    }

    fn expired_jobs_unscoped(&self, now: OffsetDateTime) -> Result<Vec<JobRecord>> {
        self.backend.read(|tx| {
            select(
                tx,
                "expires_at <= $1 AND status <> 'running' ORDER BY id",
                &[seconds(now)],
            )
        })
    }

    fn job_counts_unscoped(&self) -> Result<Vec<(JobKind, JobStatus, u64)>> {
        self.backend.read(|tx| {
            tx.query(
                "SELECT kind, status, COUNT(*) FROM jobs GROUP BY kind, status ORDER BY kind, status",
                &[],
            )?
            .iter()
            .map(|row| {
                let (kind, status) = (row.text(0)?, row.text(1)?);
                Ok((
                    JobKind::of_key(kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("job kind {kind:?}")))?,
                    JobStatus::of_key(status)
                        .ok_or_else(|| StoreError::Corrupt(format!("job status {status:?}")))?,
                    u64::try_from(row.int(2)?).unwrap_or(0),
                ))
            })
            .collect()
        })
    }

    fn forget_job_unscoped(&self, id: &str) -> Result<()> {
        self.backend.write(|tx| {
            tx.execute("DELETE FROM jobs WHERE id = $1", &[id.into()])
                .map(drop)
        })
    }
}
