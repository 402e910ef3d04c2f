use super::change::{self, Stamp, Step};
use super::sealed::{self, GUARDIAN_ID_NUMBER, GUARDIAN_PHONE, ID_NUMBER, PHONE};
use super::{Row, Tx, Value, links, mapping, opt_text, scope_bounds};
use crate::crypto::Keyring;
use crate::query::{Page, ResidentQuery, ResidentRow, ResidentSort, StatusFilter};
use crate::{Actor, Result, StoreError, snapshot};
use sojourn_domain::codes::IdNumber;
use sojourn_domain::house::HouseId;
use sojourn_domain::person::{Guardian, Person, PersonDetails, PersonId};
use sojourn_domain::record::RecordKind;
use sojourn_domain::residence::{Departure, Residence, ResidenceId, ResidenceStatus, StayDetails};
use sojourn_domain::search::SearchTerm;
use sojourn_domain::time_rules::china_today;
use sojourn_domain::unit::{Scope, UnitCode};
use time::Date;

/// A person is in scope when the file's unit is, or any of their
/// residences is (a community keeps seeing the people who lived there).
const PERSON_IN_SCOPE: &str = "((p.unit_code >= $1 AND p.unit_code < $2) OR EXISTS \
    (SELECT 1 FROM residences s WHERE s.person_id = p.id AND s.unit_code >= $1 AND s.unit_code < $2))";

pub(crate) fn get_person(tx: &mut dyn Tx, scope: &Scope, id: PersonId) -> Result<Person> {
    let [low, high] = scope_bounds(scope);
    let sql = format!(
        "SELECT {} FROM persons p WHERE {PERSON_IN_SCOPE} AND p.id = $3",
        mapping::PERSON_COLUMNS.select
    );
    let keys = tx.keys();
    tx.query_opt(&sql, &[low, high, id.0.into()])?
        .map(|row| mapping::person(&row, 0, &keys))
        .transpose()?
        .ok_or_else(|| not_found(RecordKind::Person, id.0))
}

/// Finds a file by its ID number through the blind index (an index seek;
/// the number itself is stored encrypted).
pub(crate) fn find_person(
    tx: &mut dyn Tx,
    scope: &Scope,
    number: &IdNumber,
) -> Result<Option<Person>> {
    let keys = tx.keys();
    let mut params = scope_bounds(scope).to_vec();
    let matches = sealed::index_match(
        &keys,
        "p.id_number_bidx",
        ID_NUMBER,
        number.as_str(),
        &mut params,
    );
    let sql = format!(
        "SELECT {} FROM persons p WHERE {PERSON_IN_SCOPE} AND {matches}",
        mapping::PERSON_COLUMNS.select
    );
    tx.query_opt(&sql, &params)?
        .map(|row| mapping::person(&row, 0, &keys))
        .transpose()
}

pub(crate) fn get_residence(tx: &mut dyn Tx, scope: &Scope, id: ResidenceId) -> Result<Residence> {
    let [low, high] = scope_bounds(scope);
    let sql = format!(
        "SELECT {} FROM residences r WHERE r.unit_code >= $1 AND r.unit_code < $2 AND r.id = $3",
        mapping::RESIDENCE_COLUMNS.select
    );
    tx.query_opt(&sql, &[low, high, id.0.into()])?
        .map(|row| mapping::residence(&row, 0))
        .transpose()?
        .ok_or_else(|| not_found(RecordKind::Residence, id.0))
}

pub(crate) fn residences_of(
    tx: &mut dyn Tx,
    scope: &Scope,
    person: PersonId,
) -> Result<Vec<Residence>> {
    get_person(tx, scope, person)?;
    let [low, high] = scope_bounds(scope);
    let sql = format!(
        "SELECT {} FROM residences r WHERE r.unit_code >= $1 AND r.unit_code < $2 \
         AND r.person_id = $3 ORDER BY r.arrived_on DESC, r.id DESC",
        mapping::RESIDENCE_COLUMNS.select
    );
    tx.query(&sql, &[low, high, person.0.into()])?
        .iter()
        .map(|row| mapping::residence(row, 0))
        .collect()
}

fn not_found(kind: sojourn_domain::record::RecordKind, id: i64) -> StoreError {
    StoreError::NotFound {
        kind,
        id: id.to_string(),
    }
}

/// The values of the person columns a clerk edits, in the order of
/// `arrivals::PERSON_COLUMNS` (the phone sealed, its blind index after the
/// other details, then the guardian's four columns, its numbers sealed).
pub(crate) fn person_values(d: &PersonDetails, keys: &Keyring) -> Vec<Value> {
    let mut values = vec![
        d.name.as_str().into(),
        d.name.pinyin_full().into(),
        d.name.pinyin_initials().into(),
        d.ethnicity.code().into(),
        d.domicile.as_str().into(),
        opt_text(d.domicile_address.as_ref()),
        sealed::seal_opt(keys, PHONE, d.phone.as_ref()),
        d.marital_status.map(|v| v.code()).into(),
        d.education.map(|v| v.code()).into(),
        d.political_status.map(|v| v.code()).into(),
        d.occupation.map(|v| v.code()).into(),
        sealed::index_opt(keys, PHONE, d.phone.as_ref()),
    ];
    values.extend(guardian_values(d.guardian.as_ref(), keys));
    values
}

/// The guardian's columns: all four set, or all four null.
fn guardian_values(guardian: Option<&Guardian>, keys: &Keyring) -> [Value; 4] {
    match guardian {
        Some(g) => [
            g.name().as_str().into(),
            sealed::seal(keys, GUARDIAN_ID_NUMBER, g.id_number().as_str()),
            g.relation().code().into(),
            sealed::seal(keys, GUARDIAN_PHONE, g.phone().as_str()),
        ],
        None => [Value::Null, Value::Null, Value::Null, Value::Null],
    }
}

/// A known person's details replaced by an arrival's: kept as a revision
/// and written, whatever version is there (the arrival is audited with
/// its batch, `sql/arrivals.rs`).
pub(crate) fn arrive_on_file(
    tx: &mut dyn Tx,
    id: PersonId,
    details: &PersonDetails,
    actor: &Actor,
) -> Result<()> {
    let before = load_person_unscoped(tx, id)?;
    let stamp = change::revise(tx, &before, before.version, Step::Arrived, actor)?;
    write_person(tx, id, details, &stamp)
}

fn write_person(
    tx: &mut dyn Tx,
    id: PersonId,
    details: &PersonDetails,
    stamp: &Stamp,
) -> Result<()> {
    let mut values = person_values(details, &tx.keys());
    values.extend(stamp.values());
    values.push(id.0.into());
    tx.execute(
        "UPDATE persons SET name = $1, name_pinyin = $2, name_initials = $3, ethnicity = $4, \
         domicile = $5, domicile_address = $6, phone = $7, marital_status = $8, education = $9, \
         political_status = $10, occupation = $11, phone_bidx = $12, guardian_name = $13, \
         guardian_id_number = $14, guardian_relation = $15, guardian_phone = $16, \
         version = $17, updated_at = $18, updated_by = $19, domicile_from_id_on = NULL \
         WHERE id = $20",
        &values,
    )?;
    Ok(())
}

/// Marks the file of each imported stay as having its household
/// registration taken from the ID number (the monitor lists it until the
/// file is saved again, which clears the mark). Stays outside `scope` are
/// passed over.
pub(crate) fn mark_domicile_from_id_number(
    tx: &mut dyn Tx,
    scope: &Scope,
    stays: &[ResidenceId],
) -> Result<()> {
    let today = china_today();
    for stay in stays {
        let [low, high] = scope_bounds(scope);
        let Some(row) = tx.query_opt(
            "SELECT person_id FROM residences WHERE unit_code >= $1 AND unit_code < $2 AND id = $3",
            &[low, high, stay.0.into()],
        )?
        else {
            continue;
        };
        let person = row.int(0)?;
        tx.execute(
            "UPDATE persons SET domicile_from_id_on = $1 WHERE id = $2",
            &[today.into(), person.into()],
        )?;
        super::quality::refresh(tx, crate::quality::RecordKind::Person, person)?;
    }
    Ok(())
}

fn load_person_unscoped(tx: &mut dyn Tx, id: PersonId) -> Result<Person> {
    let sql = format!(
        "SELECT {} FROM persons p WHERE p.id = $1",
        mapping::PERSON_COLUMNS.select
    );
    let keys = tx.keys();
    tx.query_opt(&sql, &[id.0.into()])?
        .map(|row| mapping::person(&row, 0, &keys))
        .transpose()?
        .ok_or_else(|| not_found(RecordKind::Person, id.0))
}

/// The file follows the person's latest stay: a derived locator, not a
/// versioned detail.
pub(crate) fn set_person_unit(tx: &mut dyn Tx, person: PersonId, stay: &StayDetails) -> Result<()> {
    tx.execute(
        "UPDATE persons SET unit_code = $1 WHERE id = $2",
        &[stay.unit.as_str().into(), person.0.into()],
    )?;
    Ok(())
}

pub(crate) fn stay_values(stay: &StayDetails) -> Vec<Value> {
    vec![
        stay.unit.as_str().into(),
        stay.arrived_on.date().into(),
        stay.intended_stay_months.map(i64::from).into(),
        stay.reason.code().into(),
        stay.current_address.as_str().into(),
        stay.house.map(|h| h.0).into(),
        stay.employer.map(|e| e.0).into(),
    ]
}

fn open_links(
    tx: &mut dyn Tx,
    person: PersonId,
    residence: ResidenceId,
    stay: &StayDetails,
    on: Date,
) -> Result<()> {
    let rows = links::link_rows(person, residence, stay, on);
    tx.insert_rows("links", links::LINK_COLUMNS, &rows)
}

/// Ends the open links of a residence whose kind is in `kinds`.
fn close_links(tx: &mut dyn Tx, residence: ResidenceId, kinds: &[&str], on: Date) -> Result<()> {
    for kind in kinds {
        tx.execute(
            "UPDATE links SET ended_on = $1 WHERE residence_id = $2 AND target_kind = $3 AND ended_on IS NULL",
            &[on.into(), residence.0.into(), (*kind).into()],
        )?;
    }
    Ok(())
}

pub(crate) fn activate_residence(
    tx: &mut dyn Tx,
    scope: &Scope,
    id: ResidenceId,
    expected_version: i64,
    actor: &Actor,
) -> Result<Residence> {
    // A stay already active is refused as such, whatever version was read.
    get_residence(tx, scope, id)?.check_activation()?;
    let version = (id.0, expected_version);
    change::update(
        tx,
        scope,
        actor,
        version,
        Step::Activated,
        |tx, _: &Residence, stamp| {
            let [version, at, by] = stamp.values();
            tx.execute(
            "UPDATE residences SET status = 'active', version = $1, updated_at = $2, updated_by = $3 WHERE id = $4",
            &[version, at, by, id.0.into()],
        )
        .map(drop)
        },
    )
}

pub(crate) fn register_departure(
    tx: &mut dyn Tx,
    scope: &Scope,
    id: ResidenceId,
    departure: &Departure,
    expected_version: i64,
    actor: &Actor,
) -> Result<Residence> {
    let version = (id.0, expected_version);
    change::update(
        tx,
        scope,
        actor,
        version,
        Step::Departed,
        |tx, before: &Residence, stamp| {
            before.check_departure(departure)?;
            let mut values = vec![
                departure.departed_on.date().into(),
                opt_text(departure.destination.as_ref()),
                opt_text(departure.destination_address.as_ref()),
                opt_text(departure.reason.as_ref()),
            ];
            values.extend(stamp.values());
            values.push(id.0.into());
            tx.execute(
                "UPDATE residences SET status = 'departed', departed_on = $1, destination = $2, \
             destination_address = $3, departure_reason = $4, version = $5, updated_at = $6, \
             updated_by = $7 WHERE id = $8",
                &values,
            )?;
            close_links(tx, id, &["house", "employer"], departure.departed_on.date())
        },
    )
}

pub(crate) fn update_stay(
    tx: &mut dyn Tx,
    scope: &Scope,
    id: ResidenceId,
    stay: &StayDetails,
    expected_version: i64,
    actor: &Actor,
) -> Result<Residence> {
    let today = sojourn_domain::time_rules::china_today();
    update_stay_on(tx, scope, id, stay, today, expected_version, actor)
}

/// Moves a current stay to `house` from `on` (a day not after today, nor
/// before the stay began or its present tenancy started): the tenancy
/// there ends that day and one here begins, every other detail unchanged.
pub(crate) fn move_to_house(
    tx: &mut dyn Tx,
    scope: &Scope,
    id: ResidenceId,
    house: HouseId,
    on: Date,
    expected_version: i64,
    actor: &Actor,
) -> Result<Residence> {
    let before = get_residence(tx, scope, id)?;
    let open = tx.query_opt(
        "SELECT started_on FROM links WHERE residence_id = $1 AND target_kind = 'house' \
         AND ended_on IS NULL",
        &[id.0.into()],
    )?;
    let started = match open {
        Some(row) => row.date(0)?.max(before.stay.arrived_on.date()),
        None => before.stay.arrived_on.date(),
    };
    if on < started {
        return Err(sojourn_domain::DomainError::TenancyEndBeforeStart {
            started: started.to_string(),
            ended: on.to_string(),
        }
        .into());
    }
    let stay = StayDetails {
        house: Some(house),
        ..before.stay
    };
    update_stay_on(tx, scope, id, &stay, on, expected_version, actor)
}

/// [`update_stay`], with a new house or employer linked from `on`.
fn update_stay_on(
    tx: &mut dyn Tx,
    scope: &Scope,
    id: ResidenceId,
    stay: &StayDetails,
    on: Date,
    expected_version: i64,
    actor: &Actor,
) -> Result<Residence> {
    let version = (id.0, expected_version);
    change::update(
        tx,
        scope,
        actor,
        version,
        Step::Updated,
        |tx, before: &Residence, stamp| {
            if !before.status.is_current() {
                return Err(sojourn_domain::DomainError::AlreadyDeparted.into());
            }
            stay.check_unit_level()?;
            let born = tx
                .query_one(
                    "SELECT birth_date FROM persons WHERE id = $1",
                    &[before.person.0.into()],
                )?
                .date(0)?;
            stay.check_not_before_birth(born)?;
            links::StayFacts::lookup(tx, scope, [stay])?.check(scope, stay)?;
            let mut values = stay_values(stay);
            values.extend(stamp.values());
            values.push(id.0.into());
            tx.execute(
                "UPDATE residences SET unit_code = $1, arrived_on = $2, intended_stay_months = $3, \
             reason = $4, current_address = $5, house_id = $6, employer_id = $7, version = $8, \
             updated_at = $9, updated_by = $10 WHERE id = $11",
                &values,
            )?;
            relink_changed(tx, before, stay, on)?;
            set_person_unit(tx, before.person, stay)
        },
    )
}

/// Moves a residence's tenancy or employment when the stay names a new
/// house or employer, keeping the old link as ended `on`.
fn relink_changed(tx: &mut dyn Tx, before: &Residence, stay: &StayDetails, on: Date) -> Result<()> {
    let mut changed = StayDetails {
        house: None,
        employer: None,
        ..stay.clone()
    };
    if before.stay.house != stay.house {
        close_links(tx, before.id, &["house"], on)?;
        changed.house = stay.house;
    }
    if before.stay.employer != stay.employer {
        close_links(tx, before.id, &["employer"], on)?;
        changed.employer = stay.employer;
    }
    open_links(tx, before.person, before.id, &changed, on)
}

pub(crate) fn update_person(
    tx: &mut dyn Tx,
    scope: &Scope,
    id: PersonId,
    details: &PersonDetails,
    expected_version: i64,
    actor: &Actor,
) -> Result<Person> {
    // A community keeps reading the people who once lived there, but only
    // the unit holding the file now may change it.
    let person = get_person(tx, scope, id)?;
    if !scope.contains(&person.unit) {
        return Err(not_found(RecordKind::Person, id.0));
    }
    // A merged file is history: changes go to the file that absorbed it.
    if let Some(PersonId(into)) = person.merged_into {
        return Err(crate::StoreError::MergedFile { into });
    }
    // Still under 16 today: the file keeps an adult guardian.
    details.check_guardian(&person.id_number, china_today())?;
    let version = (id.0, expected_version);
    change::update(
        tx,
        scope,
        actor,
        version,
        Step::Updated,
        |tx, _: &Person, stamp| write_person(tx, id, details, stamp),
    )
}

change::versioned!(Person: Person, snapshot::PersonSnapshot, get_person, PersonId, |person| &person.unit);

change::versioned!(Residence: Residence, snapshot::ResidenceSnapshot, get_residence, ResidenceId, |stay| &stay.stay.unit);

pub(crate) fn search_residents(
    tx: &mut dyn Tx,
    scope: &Scope,
    query: &ResidentQuery,
) -> Result<Page<ResidentRow>> {
    let scope = narrowed(scope, query.unit.as_ref())?;
    let mut filter = Filter::new(&scope);
    filter.status(query.status);
    let keys = tx.keys();
    if let Some(term) = &query.term {
        filter.term(term, &keys);
    }
    filter.resident_facets(query);
    let columns = format!(
        "{}, {}",
        mapping::PERSON_COLUMNS.select,
        mapping::RESIDENCE_COLUMNS.select
    );
    match &query.term {
        None => {
            let from = format!(
                "FROM residences r JOIN persons p ON p.id = r.person_id WHERE {}",
                filter.sql
            );
            let order = arrival_order(query.sort).unwrap_or("p.name_pinyin, r.id");
            super::page_of(
                tx,
                &from,
                &columns,
                order,
                &filter.params,
                query.page,
                |row| resident_row(row, &keys),
            )
        }
        Some(term) => {
            // A term selects few persons out of many residences: start from
            // `persons` (CROSS JOIN fixes SQLite's loop order; PostgreSQL plans
            // it as an ordinary join), cap the count, and order by the
            // searched key so the index walk stops after one page.
            let from = format!(
                "FROM persons p CROSS JOIN residences r WHERE r.person_id = p.id AND {}",
                filter.sql
            );
            let order = match query.sort {
                ResidentSort::ArrivedDesc => term_order(term),
                explicit => arrival_order(explicit).unwrap_or("p.name_pinyin, r.id"),
            };
            Ok(Page {
                total: super::count(tx, &from, &filter.params, Some(SEARCH_COUNT_CAP))?,
                items: super::rows(
                    tx,
                    &from,
                    &columns,
                    order,
                    &filter.params,
                    query.page,
                    |row| resident_row(row, &keys),
                )?,
            })
        }
    }
}

/// Every stay in scope, departed ones included, in the order they were
/// registered, `limit` after the stay `after`: keyset paging on the
/// primary key, so each page costs the same however deep into the
/// register it lies (an OFFSET walks past every row before it). A
/// person's earlier stay comes before their return, the order an import
/// can register them again.
pub(crate) fn export_residents(
    tx: &mut dyn Tx,
    scope: &Scope,
    after: Option<ResidenceId>,
    limit: u32,
) -> Result<Vec<ResidentRow>> {
    let filter = Filter::new(scope);
    let sql = format!(
        "SELECT {}, {} FROM residences r JOIN persons p ON p.id = r.person_id \
         WHERE {} AND r.id > $3 ORDER BY r.id LIMIT {limit}",
        mapping::PERSON_COLUMNS.select,
        mapping::RESIDENCE_COLUMNS.select,
        filter.sql,
    );
    let mut params = filter.params;
    params.push(after.map_or(0, |id| id.0).into());
    let keys = tx.keys();
    tx.query(&sql, &params)?
        .iter()
        .map(|row| resident_row(row, &keys))
        .collect()
}

/// The stays in scope matching a list's filters (not its term), in the
/// order registered, at most `limit` after `after`: a walk of the primary
/// key, so every page of a filtered export costs the same. The walk is
/// forced: the unit range is written as an expression no index serves
/// (`unit_code || ''`), since a planner that took the unit's or a
/// facet's index would sort the whole matching set for every page; and
/// the facets (sex, house, employer, dates, origin) are tested on the rows
/// read, in the same transaction, until the page is full or the register
/// ends.
pub(crate) fn export_residents_matching(
    tx: &mut dyn Tx,
    scope: &Scope,
    query: &ResidentQuery,
    after: Option<ResidenceId>,
    limit: u32,
) -> Result<Vec<ResidentRow>> {
    let scope = narrowed(scope, query.unit.as_ref())?;
    let mut filter = Filter::on("(r.unit_code || '')", &scope);
    filter.status(query.status);
    let cursor_param = filter.param(Value::from(0_i64));
    let sql = format!(
        "SELECT {}, {} FROM residences r JOIN persons p ON p.id = r.person_id \
         WHERE {} AND r.id > {cursor_param} ORDER BY r.id LIMIT {limit}",
        mapping::PERSON_COLUMNS.select,
        mapping::RESIDENCE_COLUMNS.select,
        filter.sql,
    );
    let cursor_at = filter.params.len() - 1;
    let keys = tx.keys();
    let mut cursor = after.map_or(0, |id| id.0);
    let mut found = Vec::new();
    loop {
        let mut params = filter.params.clone();
        params[cursor_at] = cursor.into();
        let rows = tx.query(&sql, &params)?;
        let scanned = rows.len();
        for row in &rows {
            let row = resident_row(row, &keys)?;
            cursor = row.residence.id.0;
            if matches_facets(query, &row) {
                found.push(row);
                if found.len() == limit as usize {
                    return Ok(found);
                }
            }
        }
        if scanned < limit as usize {
            return Ok(found);
        }
    }
}

/// The facets of [`Filter::resident_facets`], tested on a row read.
fn matches_facets(query: &ResidentQuery, row: &ResidentRow) -> bool {
    let (person, stay) = (&row.person, &row.residence.stay);
    let arrived = stay.arrived_on.date();
    let born = person.birth_date();
    query.sex.is_none_or(|sex| person.sex() == sex)
        && query.house.is_none_or(|h| stay.house == Some(h))
        && query.employer.is_none_or(|e| stay.employer == Some(e))
        && query.arrived_from.is_none_or(|from| arrived >= from)
        && query.arrived_to.is_none_or(|to| arrived <= to)
        && query.departed_from.is_none_or(|from| {
            matches!(&row.residence.status, ResidenceStatus::Departed(d) if d.departed_on.date() >= from)
        })
        && query
            .origin_province
            .as_ref()
            .is_none_or(|p| person.details.domicile.as_str().starts_with(p.as_str()))
        && query.born_from.is_none_or(|from| born >= from)
        && query.born_to.is_none_or(|to| born <= to)
}

/// The caller's scope, narrowed to the unit a list asks for; a unit
/// outside it is a reference out of scope.
fn narrowed(scope: &Scope, unit: Option<&UnitCode>) -> Result<Scope> {
    match unit {
        Some(unit) => scope
            .narrow_to(unit)
            .map_err(|_| StoreError::ReferenceOutOfScope {
                kind: RecordKind::Unit,
                id: unit.to_string(),
            }),
        None => Ok(scope.clone()),
    }
}

/// Searches count at most this many matches (and one more, to say "more").
pub const SEARCH_COUNT_CAP: u64 = 1000;

fn arrival_order(sort: ResidentSort) -> Option<&'static str> {
    match sort {
        ResidentSort::ArrivedDesc => Some("r.arrived_on DESC, r.id DESC"),
        ResidentSort::ArrivedAsc => Some("r.arrived_on, r.id"),
        ResidentSort::Name => None,
    }
}

/// The order of the index a term searches (its key, then the row id the
/// index also holds), so a page needs only its rows: many people share a
/// name, and sorting a whole group of them would visit every one. A term
/// that may match either of two columns has no single index order.
fn term_order(term: &SearchTerm) -> &'static str {
    match term {
        SearchTerm::IdNumber(_) | SearchTerm::Digits(_) => "p.id, r.id",
        SearchTerm::Pinyin(letters) => match pinyin_reading(letters) {
            PinyinReading::Initials => "p.name_initials, p.id, r.id",
            PinyinReading::Full | PinyinReading::Either => "p.name_pinyin, p.id, r.id",
        },
        SearchTerm::Name(_) => "p.name, p.id, r.id",
    }
}

/// Which pinyin column a run of letters can match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PinyinReading {
    /// No vowel: only initials (zs, lxm).
    Initials,
    /// I, u or ü begin no syllable, so they are never initials; and more
    /// letters than a name has characters read as a spelling (zhangw).
    Full,
    /// Up to four letters with a, e or o (oym for 欧阳明, wang): either.
    Either,
}

/// Longest run of initials taken for a name (复姓 plus two given characters).
const MAX_NAME_CHARS_AS_INITIALS: usize = 4;

pub(crate) fn pinyin_reading(letters: &str) -> PinyinReading {
    if !letters.contains(['a', 'e', 'i', 'o', 'u', 'v']) {
        PinyinReading::Initials
    } else if letters.contains(['i', 'u', 'v']) || letters.len() > MAX_NAME_CHARS_AS_INITIALS {
        PinyinReading::Full
    } else {
        PinyinReading::Either
    }
}

/// Mainland mobile numbers start 13–19; other digits can only begin an ID
/// number.
fn may_be_phone(digits: &str) -> bool {
    let bytes = digits.as_bytes();
    bytes.first() == Some(&b'1') && bytes.get(1).is_none_or(|d| (b'3'..=b'9').contains(d))
}

pub(crate) fn resident_row(row: &Row, keys: &Keyring) -> Result<ResidentRow> {
    Ok(ResidentRow {
        person: mapping::person(row, 0, keys)?,
        residence: mapping::residence(row, mapping::PERSON_COLUMNS.width())?,
    })
}

/// A WHERE clause built from optional filters, with numbered parameters.
pub(crate) struct Filter {
    pub(crate) sql: String,
    pub(crate) params: Vec<Value>,
}

impl Filter {
    /// Starts with the scope condition on `r.unit_code`.
    fn new(scope: &Scope) -> Self {
        Self::on("r.unit_code", scope)
    }

    pub(crate) fn on(column: &str, scope: &Scope) -> Self {
        let [low, high] = scope_bounds(scope);
        Self {
            sql: format!("{column} >= $1 AND {column} < $2"),
            params: vec![low, high],
        }
    }

    pub(crate) fn param(&mut self, value: Value) -> String {
        self.params.push(value);
        format!("${}", self.params.len())
    }

    /// Adds `AND <condition><param>`.
    /// The conditions of a resident list's filters other than its unit,
    /// status and term: sex, house, employer, arrival period, origin
    /// province and birth dates (the age band).
    pub(crate) fn resident_facets(&mut self, query: &ResidentQuery) {
        if let Some(sex) = query.sex {
            self.push("p.sex = ", sex.code().into());
        }
        if let Some(house) = query.house {
            self.push("r.house_id = ", house.0.into());
        }
        if let Some(employer) = query.employer {
            self.push("r.employer_id = ", employer.0.into());
        }
        if let Some(from) = query.arrived_from {
            self.push("r.arrived_on >= ", from.into());
        }
        if let Some(to) = query.arrived_to {
            self.push("r.arrived_on <= ", to.into());
        }
        if let Some(from) = query.departed_from {
            self.push("r.departed_on >= ", from.into());
        }
        if let Some(province) = &query.origin_province {
            self.prefix("p.domicile", province);
        }
        if let Some(from) = query.born_from {
            self.push("p.birth_date >= ", from.into());
        }
        if let Some(to) = query.born_to {
            self.push("p.birth_date <= ", to.into());
        }
    }

    pub(crate) fn push(&mut self, condition: &str, value: Value) {
        let p = self.param(value);
        self.sql.push_str(&format!(" AND {condition}{p}"));
    }

    /// Adds a prefix match on an indexed text column, as a range so the
    /// index serves it on both engines.
    pub(crate) fn prefix(&mut self, column: &str, prefix: &str) {
        let clause = self.prefix_clause(column, prefix);
        self.sql.push_str(&format!(" AND {clause}"));
    }

    /// `column` holds `text` anywhere (餐饮 finds 某某餐饮有限公司): LIKE
    /// with the pattern's own `%`, `_` and escape character escaped, which
    /// both engines read alike. A scan of the scope's rows, so only for the
    /// small registers (employers, houses), never the residents.
    pub(crate) fn contains_clause(&mut self, column: &str, text: &str) -> String {
        let escaped: String = text
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '!' => vec!['!', c],
                other => vec![other],
            })
            .collect();
        let pattern = self.param(format!("%{escaped}%").into());
        format!("({column} LIKE {pattern} ESCAPE '!')")
    }

    pub(crate) fn prefix_clause(&mut self, column: &str, prefix: &str) -> String {
        let low = self.param(prefix.into());
        let high = self.param(format!("{prefix}\u{10FFFF}").into());
        format!("({column} >= {low} AND {column} < {high})")
    }

    fn status(&mut self, status: StatusFilter) {
        let clause = match status {
            StatusFilter::Current => " AND r.status <> 'departed'",
            StatusFilter::Registered => " AND r.status = 'registered'",
            StatusFilter::Active => " AND r.status = 'active'",
            StatusFilter::Departed => " AND r.status = 'departed'",
            StatusFilter::Any => "",
        };
        self.sql.push_str(clause);
    }

    /// The one search box: ID number, phone, pinyin or name. ID and phone
    /// numbers are stored encrypted, so they are found whole, through
    /// their blind indexes; a part of a number matches nothing (the
    /// numbers' prefixes are exactly what encryption hides).
    pub(crate) fn term(&mut self, term: &SearchTerm, keys: &Keyring) {
        let clause = match term {
            SearchTerm::IdNumber(id) => sealed::index_match(
                keys,
                "p.id_number_bidx",
                ID_NUMBER,
                id.as_str(),
                &mut self.params,
            ),
            SearchTerm::Digits(digits) => match sojourn_domain::codes::Phone::parse(digits) {
                Ok(phone) if may_be_phone(digits) => sealed::index_match(
                    keys,
                    "p.phone_bidx",
                    PHONE,
                    &phone.to_string(),
                    &mut self.params,
                ),
                _ => "1 = 0".to_owned(),
            },
            SearchTerm::Pinyin(letters) => match pinyin_reading(letters) {
                PinyinReading::Initials => self.prefix_clause("p.name_initials", letters),
                PinyinReading::Full => self.prefix_clause("p.name_pinyin", letters),
                PinyinReading::Either => {
                    let initials = self.prefix_clause("p.name_initials", letters);
                    let full = self.prefix_clause("p.name_pinyin", letters);
                    format!("({initials} OR {full})")
                }
            },
            SearchTerm::Name(name) => self.prefix_clause("p.name", name),
        };
        self.sql.push_str(&format!(" AND {clause}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_are_read_as_initials_spellings_or_either() {
        assert_eq!(pinyin_reading("zs"), PinyinReading::Initials);
        assert_eq!(pinyin_reading("lxm"), PinyinReading::Initials);
        assert_eq!(pinyin_reading("li"), PinyinReading::Full);
        assert_eq!(pinyin_reading("zhangw"), PinyinReading::Full);
        assert_eq!(pinyin_reading("wang"), PinyinReading::Either);
        assert_eq!(pinyin_reading("oym"), PinyinReading::Either);
    }

    #[test]
    fn only_digits_a_mobile_can_start_with_may_be_a_phone() {
        assert!(may_be_phone("138"));
        assert!(may_be_phone("1"));
        assert!(!may_be_phone("110105"));
        assert!(!may_be_phone("410102"));
    }
}
