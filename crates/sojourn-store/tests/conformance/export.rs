//! Export paging by key: every record in scope exactly once, in the order
//! registered, page after page; nothing outside the scope.

use crate::fixtures::*;
use crate::harness::TestDb;
use sojourn_domain::residence::ResidenceId;
use sojourn_domain::unit::UnitCode;
use sojourn_store::StoreError;

pub fn an_export_pages_every_stay_in_scope_once_in_registration_order(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let town = scope(TOWN);
    let mut in_duofu = Vec::new();
    for seq in 0..7u16 {
        let unit = if seq % 3 == 0 { YINZHA } else { DUOFU };
        let (_, stay) = store
            .register_arrival(
                &town,
                &arrival(&id_number("19900101", seq), "张三", unit, "2024-03-05"),
                &actor(),
            )
            .expect("arrival");
        if unit == DUOFU {
            in_duofu.push(stay.id);
        }
    }
    // One of them leaves and comes back: both stays, the earlier first.
    let leaving = in_duofu[0];
    store
        .register_departure(&town, leaving, &departure("2024-06-01"), 1, &actor())
        .expect("departure");
    let (_, back) = store
        .register_arrival(
            &town,
            &arrival(&id_number("19900101", 1), "张三", DUOFU, "2024-07-01"),
            &actor(),
        )
        .expect("return");
    in_duofu.push(back.id);

    let mut seen: Vec<ResidenceId> = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .export_residents(&scope(DUOFU), after, 2)
            .expect("page");
        assert!(page.len() <= 2);
        let Some(last) = page.last() else { break };
        after = Some(last.residence.id);
        seen.extend(page.iter().map(|row| row.residence.id));
    }
    assert_eq!(seen, in_duofu);
    // A page size outside 1..=500 is refused.
    for size in [0, 501] {
        let refused = store.export_residents(&town, None, size);
        assert!(
            matches!(&refused, Err(StoreError::Internal(m)) if m.contains("out of range")),
            "{refused:?}"
        );
    }
}

pub fn an_export_pages_every_outflow_in_scope_once(db: &TestDb) {
    let store = db.store();
    deploy(store);
    let town = scope(TOWN);
    let mut in_duofu = Vec::new();
    for seq in 0..5u16 {
        let unit = if seq == 2 { YINZHA } else { DUOFU };
        let record = store
            .create_outflow(
                &town,
                &id_number("19880808", 100 + seq),
                &outflow(unit, "孙大"),
                &actor(),
            )
            .expect("outflow");
        if unit == DUOFU {
            in_duofu.push(record.id);
        }
    }
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .export_outflows(&scope(DUOFU), after, 3)
            .expect("page");
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        seen.extend(page.iter().map(|o| o.id));
    }
    assert_eq!(seen, in_duofu);
}

pub fn a_filtered_export_pages_the_stays_the_list_finds(db: &TestDb) {
    use sojourn_store::{PageRequest, ResidentQuery, StatusFilter};
    let store = db.store();
    deploy(store);
    let town = scope(TOWN);
    for seq in 0..9u16 {
        let unit = if seq % 3 == 0 { YINZHA } else { DUOFU };
        let on = if seq % 2 == 0 {
            "2024-03-05"
        } else {
            "2024-05-05"
        };
        let (_, stay) = store
            .register_arrival(
                &town,
                &arrival(&id_number("19900101", 200 + seq), "李四", unit, on),
                &actor(),
            )
            .expect("arrival");
        if seq % 3 == 1 {
            let left_on = if seq == 1 { "2024-05-31" } else { "2024-06-02" };
            store
                .register_departure(&town, stay.id, &departure(left_on), stay.version, &actor())
                .expect("departure");
        }
    }
    let may = time::macros::date!(2024 - 05 - 01);
    let filters = [
        ResidentQuery::default(),
        ResidentQuery {
            unit: Some(UnitCode::parse(DUOFU).expect("unit")),
            ..ResidentQuery::default()
        },
        ResidentQuery {
            arrived_from: Some(may),
            status: StatusFilter::Any,
            ..ResidentQuery::default()
        },
        ResidentQuery {
            status: StatusFilter::Departed,
            ..ResidentQuery::default()
        },
        ResidentQuery {
            status: StatusFilter::Departed,
            departed_from: Some(time::macros::date!(2024 - 06 - 01)),
            ..ResidentQuery::default()
        },
        ResidentQuery {
            sex: Some(sojourn_domain::codes::Sex::Female),
            arrived_to: Some(time::macros::date!(2024 - 04 - 01)),
            ..ResidentQuery::default()
        },
        ResidentQuery {
            sex: Some(sojourn_domain::codes::Sex::Male),
            unit: Some(UnitCode::parse(DUOFU).expect("unit")),
            ..ResidentQuery::default()
        },
    ];
    for filter in filters {
        let mut listed: Vec<ResidenceId> = store
            .search_residents(
                &town,
                &ResidentQuery {
                    page: PageRequest::new(0, PageRequest::MAX_LIMIT).expect("page"),
                    ..filter.clone()
                },
            )
            .expect("list")
            .items
            .iter()
            .map(|r| r.residence.id)
            .collect();
        listed.sort();
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = store
                .export_residents_matching(&town, &filter, after, 2)
                .expect("page");
            let Some(last) = page.last() else { break };
            after = Some(last.residence.id);
            seen.extend(page.iter().map(|row| row.residence.id));
        }
        assert_eq!(seen, listed, "{filter:?}");
        if filter.departed_from.is_some() {
            // Of the departures on 2024-05-31 and 2024-06-02 (twice), the
            // two since June.
            assert_eq!(listed.len(), 2, "{filter:?}");
        }
    }
    // A unit outside the scope is refused, as the list refuses it.
    let outside = ResidentQuery {
        unit: Some(UnitCode::parse(YINZHA).expect("unit")),
        ..ResidentQuery::default()
    };
    let refused = store.export_residents_matching(&scope(DUOFU), &outside, None, 10);
    assert!(
        matches!(
            refused,
            Err(StoreError::ReferenceOutOfScope {
                kind: sojourn_domain::record::RecordKind::Unit,
                ..
            })
        ),
        "{refused:?}"
    );
}
