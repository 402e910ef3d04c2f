//! The columns of each export: the ledger (台账) as the paper forms print
//! it, with Chinese headers whatever the reader's language, and the list
//! as its page shows it, with headers in the reader's language. A list's
//! columns are a choice of its ledger's, so both read a record the same
//! way.

use super::ExportList;
use crate::format::{self, Numbers};
use crate::i18n::{Lang, Tr};
use sojourn_domain::employer::Employer;
use sojourn_domain::house::{Filing, House, Landlord};
use sojourn_domain::outflow::Outflow;
use sojourn_domain::residence::ResidenceStatus;
use sojourn_domain::time_rules::{age_on, china_today};
use sojourn_store::ResidentRow;
use std::collections::HashMap;
use time::Date;

/// What a row needs beyond its record: unit, house and employer names,
/// whether numbers are shown in full, and today (for ages).
pub struct Names {
    pub units: HashMap<String, String>,
    pub houses: HashMap<i64, String>,
    pub employers: HashMap<i64, String>,
    pub(crate) numbers: Numbers,
    pub today: Date,
}

impl Names {
    pub(crate) fn new(numbers: Numbers) -> Self {
        Self {
            units: HashMap::new(),
            houses: HashMap::new(),
            employers: HashMap::new(),
            numbers,
            today: china_today(),
        }
    }

    /// A unit's name, or its code when it is not in the caller's tree.
    pub(crate) fn unit_name(&self, code: &sojourn_domain::unit::UnitCode) -> String {
        self.unit(code)
    }

    fn unit(&self, code: &sojourn_domain::unit::UnitCode) -> String {
        self.units
            .get(code.as_str())
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }
}

/// One column: its ledger header and how a record fills it.
pub struct Column<R> {
    pub header: &'static str,
    pub cell: fn(&R, &Names) -> String,
}

const fn col<R>(header: &'static str, cell: fn(&R, &Names) -> String) -> Column<R> {
    Column { header, cell }
}

fn opt<T: ToString>(value: Option<&T>) -> String {
    value.map(ToString::to_string).unwrap_or_default()
}

fn date(value: Date) -> String {
    format::date(value)
}

/// 《流动人口登记台账》: the columns of 《流动人口信息登记表》, one row per stay.
pub const RESIDENTS: &[Column<ResidentRow>] = &[
    col("姓名", |r, _| r.person.details.name.to_string()),
    col("性别", |r, _| r.person.sex().name_zh().to_owned()),
    col("出生日期", |r, _| date(r.person.birth_date())),
    col("民族", |r, _| {
        r.person.details.ethnicity.name_zh().to_owned()
    }),
    col("公民身份号码", |r, n| {
        format::id_number_in(n.numbers, &r.person.id_number)
    }),
    col("户籍地", |r, _| {
        format::place(&r.person.details.domicile)
    }),
    col("户籍地详址", |r, _| {
        opt(r.person.details.domicile_address.as_ref())
    }),
    col("联系电话", |r, n| {
        format::phone_in(n.numbers, r.person.details.phone.as_ref())
    }),
    col("婚姻状况", |r, _| {
        r.person
            .details
            .marital_status
            .map(|v| v.name_zh().to_owned())
            .unwrap_or_default()
    }),
    col("文化程度", |r, _| {
        r.person
            .details
            .education
            .map(|v| v.name_zh().to_owned())
            .unwrap_or_default()
    }),
    col("政治面貌", |r, _| {
        r.person
            .details
            .political_status
            .map(|v| v.name_zh().to_owned())
            .unwrap_or_default()
    }),
    col("职业", |r, _| {
        r.person
            .details
            .occupation
            .map(|v| v.name_zh().to_owned())
            .unwrap_or_default()
    }),
    col("所属社区", |r, n| n.unit(&r.residence.stay.unit)),
    col("来本地日期", |r, _| {
        date(r.residence.stay.arrived_on.date())
    }),
    col("来本地事由", |r, _| {
        r.residence.stay.reason.name_zh().to_owned()
    }),
    col("拟居住期限（月）", |r, _| {
        opt(r.residence.stay.intended_stay_months.as_ref())
    }),
    col("现住地址", |r, _| {
        r.residence.stay.current_address.to_string()
    }),
    col("出租房屋", |r, n| {
        r.residence
            .stay
            .house
            .and_then(|h| n.houses.get(&h.0).cloned())
            .unwrap_or_default()
    }),
    col("用工单位", |r, n| {
        r.residence
            .stay
            .employer
            .and_then(|e| n.employers.get(&e.0).cloned())
            .unwrap_or_default()
    }),
    col("状态", |r, _| status_zh(&r.residence.status).to_owned()),
    col("注销日期", |r, _| match &r.residence.status {
        ResidenceStatus::Departed(d) => date(d.departed_on.date()),
        _ => String::new(),
    }),
    col("去向", |r, _| match &r.residence.status {
        ResidenceStatus::Departed(d) => d
            .destination
            .as_ref()
            .map(format::place)
            .or_else(|| d.destination_address.as_ref().map(ToString::to_string))
            .unwrap_or_default(),
        _ => String::new(),
    }),
    col("监护人姓名", |r, _| {
        opt(r.person.details.guardian.as_ref().map(|g| g.name()))
    }),
    col("监护人公民身份号码", |r, n| {
        r.person
            .details
            .guardian
            .as_ref()
            .map(|g| format::id_number_in(n.numbers, g.id_number()))
            .unwrap_or_default()
    }),
    col("监护关系", |r, _| {
        r.person
            .details
            .guardian
            .as_ref()
            .map(|g| g.relation().name_zh().to_owned())
            .unwrap_or_default()
    }),
    col("监护人联系电话", |r, n| {
        r.person
            .details
            .guardian
            .as_ref()
            .map(|g| format::phone_in(n.numbers, Some(g.phone())))
            .unwrap_or_default()
    }),
    // Columns the list shows that the paper form does not print.
    col("年龄", |r, n| {
        age_on(r.person.birth_date(), n.today).to_string()
    }),
    col("户籍省份", |r, _| {
        format::province(&r.person.details.domicile)
    }),
];

/// How many of [`RESIDENTS`] the ledger prints (the rest serve the list).
const RESIDENT_LEDGER_WIDTH: usize = 26;

fn status_zh(status: &ResidenceStatus) -> &'static str {
    match status {
        ResidenceStatus::Registered => "已登记",
        ResidenceStatus::Active => "在住",
        ResidenceStatus::Departed(_) => "已注销",
    }
}

/// 《出租房屋台账》: the columns of 《出租房屋申请备案表》.
pub const HOUSES: &[Column<House>] = &[
    col("房屋地址", |h, _| h.details.address.to_string()),
    col("所属社区", |h, n| n.unit(&h.details.unit)),
    col("出租人类型", |h, _| match h.details.landlord {
        Landlord::Person { .. } => "个人".to_owned(),
        Landlord::Company { .. } => "单位".to_owned(),
    }),
    col("出租人", |h, _| {
        h.details.landlord.display_name().to_owned()
    }),
    col(
        "出租人身份证号码/统一社会信用代码",
        |h, n| match &h.details.landlord {
            Landlord::Person { id_number, .. } => format::id_number_in(n.numbers, id_number),
            Landlord::Company { uscc, .. } => uscc.to_string(),
        },
    ),
    col("出租人联系电话", |h, n| {
        format::phone_in(n.numbers, h.details.landlord.phone())
    }),
    col("出租间数", |h, _| h.details.rooms.to_string()),
    col("房屋用途", |h, _| h.details.usage.name_zh().to_owned()),
    col("备案日期", |h, _| match &h.details.filing {
        Filing::Filed { on } => date(on.date()),
        Filing::NotFiled => "未备案".to_owned(),
    }),
    col("治安责任书签订日期", |h, _| {
        h.details
            .security_agreement_on
            .map(|d| date(d.date()))
            .unwrap_or_default()
    }),
];

/// 《用工单位台账》: the register's own columns (no national paper form).
pub const EMPLOYERS: &[Column<Employer>] = &[
    col("单位名称", |e, _| e.details.name.to_string()),
    col("统一社会信用代码", |e, _| e.uscc.to_string()),
    col("法定代表人", |e, n| {
        format::sealed_name_in(n.numbers, &e.details.legal_representative)
    }),
    col("所属社区", |e, n| n.unit(&e.details.unit)),
    col("单位地址", |e, _| e.details.address.to_string()),
    col("联系电话", |e, n| {
        format::phone_in(n.numbers, e.details.phone.as_ref())
    }),
    col("申报用工人数", |e, _| {
        e.details.declared_workers.to_string()
    }),
    col("在册流动人员数", |e, _| {
        e.current_workers.to_string()
    }),
];

/// 《流出人口台账》: the columns of 《流出人口登记表》.
pub const OUTFLOWS: &[Column<Outflow>] = &[
    col("姓名", |o, _| o.details.name.to_string()),
    col("公民身份号码", |o, n| {
        format::id_number_in(n.numbers, &o.id_number)
    }),
    col("所属村居", |o, n| n.unit(&o.details.unit)),
    col("外出日期", |o, _| date(o.details.left_on.date())),
    col("流入地", |o, _| format::place(&o.details.destination)),
    col("流入地详址", |o, _| {
        opt(o.details.destination_address.as_ref())
    }),
    col("外出原因", |o, _| opt(o.details.reason.as_ref())),
    col("务工单位", |o, _| opt(o.details.employer_name.as_ref())),
    col("联系电话", |o, n| {
        format::phone_in(n.numbers, o.details.contact_phone.as_ref())
    }),
    col("留守家庭成员", |o, _| {
        o.details
            .left_behind
            .iter()
            .map(|m| format!("{}（{}）", m.name, m.relation))
            .collect::<Vec<_>>()
            .join("；")
    }),
    col("返回日期", |o, _| {
        o.returned_on.map(date).unwrap_or_default()
    }),
];

/// A layout's columns, as indexes into the list's ledger columns, and
/// the header each gets.
pub struct Layout {
    pub title: String,
    pub columns: Vec<usize>,
    pub headers: Vec<String>,
}

/// The ledger: every column of the paper form, Chinese headers.
pub fn ledger(list: ExportList) -> Layout {
    let headers: Vec<&'static str> = match list {
        ExportList::Residents => RESIDENTS[..RESIDENT_LEDGER_WIDTH]
            .iter()
            .map(|c| c.header)
            .collect(),
        ExportList::Houses => HOUSES.iter().map(|c| c.header).collect(),
        ExportList::Employers => EMPLOYERS.iter().map(|c| c.header).collect(),
        ExportList::Outflows => OUTFLOWS.iter().map(|c| c.header).collect(),
        // The workflow's lists have no paper form: their page's columns.
        workflow => return self::list(workflow, Lang::ZhCn),
    };
    let mut all = vec!["序号".to_owned()];
    all.extend(headers.iter().map(|h| (*h).to_owned()));
    Layout {
        title: list.ledger_title().to_owned(),
        columns: (0..headers.len()).collect(),
        headers: all,
    }
}

/// The list: the columns its page shows, headers in `lang`.
pub(crate) fn list(list: ExportList, lang: Lang) -> Layout {
    // (index into the ledger columns, the page's header message)
    let picks: &[(usize, &str)] = match list {
        ExportList::Residents => &[
            (0, "col-name"),
            (1, "field-sex"),
            (26, "col-age"),
            (4, "field-id-number"),
            (27, "col-origin"),
            (12, "col-unit"),
            (13, "field-arrived-on"),
            (19, "col-status"),
            (16, "field-current-address"),
        ],
        ExportList::Houses => &[
            (0, "house-address"),
            (3, "house-landlord"),
            (5, "field-phone"),
            (6, "house-rooms"),
            (7, "house-usage"),
            (8, "house-filing"),
            (9, "house-agreement"),
            (1, "col-unit"),
        ],
        ExportList::Employers => &[
            (0, "employer-name"),
            (1, "field-uscc"),
            (2, "employer-representative"),
            (5, "field-phone"),
            (6, "employer-declared"),
            (7, "employer-current"),
            (3, "col-unit"),
        ],
        ExportList::Outflows => &[
            (0, "col-name"),
            (1, "field-id-number"),
            (2, "col-unit"),
            (3, "outflow-left-on"),
            (4, "field-destination"),
            (7, "outflow-employer"),
            (10, "export-col-returned-on"),
        ],
        workflow => {
            let tr = Tr::new(lang);
            return Layout {
                title: tr.t(workflow.title_key()),
                columns: Vec::new(),
                headers: super::workflow::headers(workflow, tr),
            };
        }
    };
    let mut headers = vec![Tr::new(lang).t("export-col-number")];
    headers.extend(picks.iter().map(|(_, key)| Tr::new(lang).t(key)));
    Layout {
        title: Tr::new(lang).t(list.title_key()),
        columns: picks.iter().map(|(i, _)| *i).collect(),
        headers,
    }
}

/// The cells of one record under `layout`, after its row number.
pub fn cells<R>(
    columns: &[Column<R>],
    layout: &[usize],
    number: u64,
    record: &R,
    names: &Names,
) -> Vec<String> {
    let mut row = Vec::with_capacity(layout.len() + 1);
    row.push(number.to_string());
    row.extend(layout.iter().map(|i| (columns[*i].cell)(record, names)));
    row
}
