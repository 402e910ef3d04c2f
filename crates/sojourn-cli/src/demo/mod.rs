//! `sojourn demo`: a street full of realistic, entirely synthetic data —
//! residents arriving, leaving and coming back over three years, their
//! rental houses and employers, and the street's own people who left —
//! so the system can be seen working on first start.
//!
//! Generation is deterministic for a seed and a "today": the same seed on
//! the same day gives the same street.

/// One demo user of every role.
pub mod accounts;
/// Company names and credit codes.
mod orgs;
/// Outflow records with left-behind family.
mod outflows;
/// Names, ID numbers, phones.
mod people;
/// Places from the embedded division data.
mod places;
/// Employers and rental houses.
mod premises;
/// Random helpers.
mod random;
/// Residents' stays.
mod stays;
/// The street being populated.
mod world;

use crate::db::{self, Deployment};
use crate::error::{CliError, Result};
use crate::init::{InitOutcome, init_deployment};
use rand::SeedableRng;
use rand::rngs::StdRng;
use sojourn_domain::Localized;
use sojourn_domain::residence::{Arrival, ResidenceId};
use sojourn_domain::unit::Scope;
use sojourn_store::{
    Actor, EmployerQuery, HouseQuery, OutflowQuery, PageRequest, ResidentQuery, StatusFilter, Store,
};
use std::time::Instant;
use time::Date;

/// The street a new demo database is rooted at: 东华门街道, 东城区, 北京.
pub const DEMO_TOWN: &str = "110101001";

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSize {
    /// People (person files); some have two stays.
    pub residents: usize,
    /// Communities of the root that receive data, the first ones in code order.
    pub communities: usize,
    pub houses: usize,
    pub employers: usize,
    pub outflows: usize,
}

impl DemoSize {
    /// One street office's worth.
    pub const STREET: Self = Self {
        residents: 5_000,
        communities: 10,
        houses: 800,
        employers: 150,
        outflows: 300,
    };
}

/// What was generated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoCounts {
    pub persons: usize,
    /// Residence episodes, departed ones included.
    pub stays: usize,
    pub departed: usize,
    /// Stays of people who left and came back.
    pub returned: usize,
    pub houses: usize,
    pub employers: usize,
    pub outflows: usize,
    pub left_behind_elderly: usize,
    pub left_behind_children: usize,
}

impl DemoCounts {
    /// Stays not (yet) departed.
    pub fn current(&self) -> usize {
        self.stays - self.departed
    }
}

/// Rows per `register_arrivals` call.
const ARRIVAL_BATCH: usize = 1_000;

fn actor() -> Actor {
    Actor::new(accounts::DEMO_ACTOR)
}

/// Opens `db`, roots it at [`DEMO_TOWN`] if new, and fills it unless it
/// already holds data (a second `demo` just serves what is there). A
/// database another command rooted (`init`: a real deployment) is refused
/// untouched: the demo's accounts have a published password.
pub fn prepare(db: &str, key_file: Option<&std::path::Path>, seed: u64) -> Result<Deployment> {
    let store = db::open(db, key_file, db::Keys::CreateIfMissing)?;
    let rooted = store.deployment_root_unscoped()?.is_some();
    if rooted && !accounts::made_by_demo(&*store)? {
        return Err(CliError::NotADemoDatabase {
            db: db::redacted(db),
        });
    }
    if !rooted && let InitOutcome::Created { root, below } = init_deployment(&*store, DEMO_TOWN)? {
        println!(
            "initialised {} ({}) with {below} communities",
            root.name, root.code
        );
    }
    let deployment = Deployment::of(store, db)?;
    let sign_ins = accounts::open_demo_accounts(&*deployment.store, &deployment.root)?;
    print_sign_ins(&sign_ins)?;
    let scope = deployment.scope();
    if has_data(&*deployment.store, &scope)? {
        println!(
            "the database already holds data; nothing generated / 数据库已有数据，未生成演示数据"
        );
        return Ok(deployment);
    }
    let started = Instant::now();
    let today = sojourn_domain::time_rules::china_today();
    let counts = generate(&*deployment.store, &scope, &DemoSize::STREET, seed, today)?;
    println!(
        "generated {} residents ({} stays: {} current, {} departed, {} came back), {} houses, \
         {} employers, {} outflow records ({} left-behind elderly, {} children) in {:.1} s",
        counts.persons,
        counts.stays,
        counts.current(),
        counts.departed,
        counts.returned,
        counts.houses,
        counts.employers,
        counts.outflows,
        counts.left_behind_elderly,
        counts.left_behind_children,
        started.elapsed().as_secs_f64()
    );
    Ok(deployment)
}

fn print_sign_ins(sign_ins: &[crate::accounts::Issued]) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "demo sign-ins — demo data only, never for real use / 演示账号（仅供演示，切勿用于实际工作）:"
    )
    .and_then(|()| crate::accounts::print_table(&mut out, sign_ins))
    .map_err(|e| CliError::file("stdout", e))
}

/// Whether any register of the deployment has a record.
pub fn has_data(store: &dyn Store, scope: &Scope) -> Result<bool> {
    let one = PageRequest::new(0, 1).ok_or_else(|| CliError::Internal("page".into()))?;
    let residents = ResidentQuery {
        status: StatusFilter::Any,
        page: one,
        ..ResidentQuery::default()
    };
    let houses = HouseQuery {
        page: one,
        ..HouseQuery::default()
    };
    let employers = EmployerQuery {
        page: one,
        ..EmployerQuery::default()
    };
    let outflows = OutflowQuery {
        page: one,
        ..OutflowQuery::default()
    };
    Ok(store.search_residents(scope, &residents)?.total > 0
        || store.search_houses(scope, &houses)?.total > 0
        || store.search_employers(scope, &employers)?.total > 0
        || store.search_outflows(scope, &outflows)?.total > 0)
}

/// Fills the deployment under `scope` with a synthetic street of `size`,
/// drawn from `seed`, with dates up to `today`.
pub fn generate(
    store: &dyn Store,
    scope: &Scope,
    size: &DemoSize,
    seed: u64,
    today: Date,
) -> Result<DemoCounts> {
    let root = store.get_unit(scope, scope.root())?;
    let mut communities = store.list_units(scope, Some(scope.root()))?;
    communities.truncate(size.communities);
    let mut world = world::World::new(StdRng::seed_from_u64(seed), today, &root, &communities)?;
    premises::create_employers(&mut world, store, scope, size.employers)?;
    premises::create_houses(&mut world, store, scope, size.houses)?;
    let mut counts = DemoCounts {
        houses: size.houses,
        employers: size.employers,
        ..DemoCounts::default()
    };
    register_residents(&mut world, store, scope, size.residents, &mut counts)?;
    create_outflows(&mut world, store, scope, size.outflows, &mut counts)?;
    Ok(counts)
}

fn register_residents(
    world: &mut world::World,
    store: &dyn Store,
    scope: &Scope,
    count: usize,
    counts: &mut DemoCounts,
) -> Result<()> {
    let (arrivals, follow_ups): (Vec<_>, Vec<_>) = (0..count)
        .map(|_| stays::plan(world))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .unzip();
    let ids = register_all(store, scope, &arrivals)?;
    let mut comebacks = Vec::new();
    let mut comebacks_to_activate = Vec::new();
    for (id, follow_up) in ids.into_iter().zip(follow_ups) {
        let mut version = 1;
        if follow_up.activate {
            version = store
                .activate_residence(scope, id, version, &actor())?
                .version;
        }
        if let Some(departure) = &follow_up.departure {
            store.register_departure(scope, id, departure, version, &actor())?;
            counts.departed += 1;
        }
        if let Some(comeback) = follow_up.comeback {
            comebacks.push(comeback.arrival);
            comebacks_to_activate.push(comeback.activate);
        }
    }
    let comeback_ids = register_all(store, scope, &comebacks)?;
    for (id, activate) in comeback_ids.into_iter().zip(comebacks_to_activate) {
        if activate {
            store.activate_residence(scope, id, 1, &actor())?;
        }
    }
    counts.persons = arrivals.len();
    counts.returned = comebacks.len();
    counts.stays = counts.persons + counts.returned;
    Ok(())
}

/// Registers `arrivals` in batches; any refusal is a generator bug.
fn register_all(
    store: &dyn Store,
    scope: &Scope,
    arrivals: &[Arrival],
) -> Result<Vec<ResidenceId>> {
    let mut ids = Vec::with_capacity(arrivals.len());
    for batch in arrivals.chunks(ARRIVAL_BATCH) {
        for result in store.register_arrivals(scope, batch, &actor())? {
            let id = result
                .map_err(|e| CliError::Demo(format!("arrival refused: {}", e.message_en())))?;
            ids.push(id);
        }
    }
    Ok(ids)
}

fn create_outflows(
    world: &mut world::World,
    store: &dyn Store,
    scope: &Scope,
    count: usize,
    counts: &mut DemoCounts,
) -> Result<()> {
    for _ in 0..count {
        let (id_number, details) = outflows::plan(world)?;
        for member in &details.left_behind {
            match member.kind() {
                sojourn_domain::outflow::LeftBehindKind::Elderly => counts.left_behind_elderly += 1,
                sojourn_domain::outflow::LeftBehindKind::Child => counts.left_behind_children += 1,
            }
        }
        store.create_outflow(scope, &id_number, &details, &actor())?;
        counts.outflows += 1;
    }
    Ok(())
}
