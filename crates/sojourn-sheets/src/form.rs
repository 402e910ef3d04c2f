//! The three paper forms staff keep in Excel, field by field: the key the
//! import pipeline knows the field by (the CSV column key), the header the
//! template prints, and the other words real sheets use for it.

/// How a cell of a field is read from a sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text: spaces trimmed and collapsed, full-width letters and
    /// digits made half-width.
    Text,
    /// A code of digits (and perhaps letters): ID number, unit and
    /// division codes, credit code, phone. Every space goes, `x` becomes
    /// `X`, and a long number Excel stored as a number is refused.
    Code,
    /// A date, as an Excel date or text in any common form.
    Date,
    /// A whole number.
    Integer,
}

/// One field of a form.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The import's column key (`id_number`), also accepted as a header.
    pub key: &'static str,
    /// The header the template prints.
    pub header: &'static str,
    /// Other headers meaning the same field.
    pub synonyms: &'static [&'static str],
    pub kind: Kind,
    /// The column must be present.
    pub required: bool,
}

const fn field(
    key: &'static str,
    header: &'static str,
    synonyms: &'static [&'static str],
    kind: Kind,
    required: bool,
) -> Field {
    Field {
        key,
        header,
        synonyms,
        kind,
        required,
    }
}

/// A form a sheet may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Form {
    /// 《流动人口信息登记表》: one row per stay.
    Residents,
    /// 《出租房屋申请备案表》.
    Houses,
    /// 《流出人口登记表》.
    Outflows,
    /// 用工单位登记表 (no national paper form; the register's own columns).
    Employers,
}

const ID_NUMBER: &[&str] = &[
    "公民身份号码",
    "身份证号",
    "身份证号码",
    "身份证",
    "居民身份证号码",
    "身份号码",
    "证件号码",
    "公民身份证号码",
];

const UNIT: &[&str] = &[
    "所属社区",
    "社区代码",
    "单位代码",
    "所属单位",
    "登记单位",
    "所属村居",
];

const RESIDENTS: &[Field] = &[
    field("id_number", "公民身份号码", ID_NUMBER, Kind::Code, true),
    field("name", "姓名", &["名字"], Kind::Text, true),
    field("sex", "性别", &[], Kind::Text, false),
    field(
        "birth_date",
        "出生日期",
        &["出生年月日", "出生年月"],
        Kind::Date,
        false,
    ),
    field("ethnicity", "民族", &["族别"], Kind::Text, true),
    // A ledger may give the household registration as text only, in the
    // address column: the import reads it (or the ID number's place).
    field(
        "domicile",
        "户籍地区划代码",
        &["户籍地", "户籍地代码", "户籍所在地", "户籍地区划"],
        Kind::Code,
        false,
    ),
    field(
        "domicile_address",
        "户籍地详址",
        &["户籍详址", "户籍地详细地址", "户籍地址"],
        Kind::Text,
        false,
    ),
    field(
        "phone",
        "联系电话",
        &["电话", "手机", "手机号码", "联系方式", "电话号码"],
        Kind::Code,
        false,
    ),
    field(
        "marital_status",
        "婚姻状况",
        &["婚姻状态", "婚否"],
        Kind::Text,
        false,
    ),
    field("education", "文化程度", &["学历"], Kind::Text, false),
    field("political_status", "政治面貌", &[], Kind::Text, false),
    field("occupation", "职业", &["从事职业"], Kind::Text, false),
    field(
        "guardian_name",
        "监护人姓名",
        &["监护人", "监护人名字"],
        Kind::Text,
        false,
    ),
    field(
        "guardian_id_number",
        "监护人公民身份号码",
        &["监护人身份证号", "监护人身份证号码", "监护人证件号码"],
        Kind::Code,
        false,
    ),
    field(
        "guardian_relation",
        "监护关系",
        &["与未成年人关系", "监护人关系", "与监护人关系"],
        Kind::Text,
        false,
    ),
    field(
        "guardian_phone",
        "监护人联系电话",
        &["监护人电话", "监护人手机"],
        Kind::Code,
        false,
    ),
    // Ledgers are kept per community: the sheet's title or the person
    // importing names it when there is no column.
    field("unit", "所属社区代码", UNIT, Kind::Code, false),
    field(
        "arrived_on",
        "来本地日期",
        &[
            "来本地时间",
            "到达日期",
            "来此日期",
            "抵达日期",
            "来本地居住日期",
            "入住日期",
        ],
        Kind::Date,
        true,
    ),
    field(
        "intended_stay_months",
        "拟居住期限（月）",
        &["拟居住期限", "拟居住月数", "拟居住时间"],
        Kind::Integer,
        false,
    ),
    field(
        "reason",
        "来本地事由",
        &["居住事由", "暂住事由", "事由", "来本地原因"],
        Kind::Text,
        // Missing, it is recorded as unknown and listed by the monitor.
        false,
    ),
    field(
        "current_address",
        "现住址",
        &["现居住地址", "暂住地址", "居住地址", "现住地址", "现居住地"],
        Kind::Text,
        true,
    ),
    field(
        "house_address",
        "出租房屋地址",
        &["租住房屋地址", "房屋地址"],
        Kind::Text,
        false,
    ),
    field(
        "employer_uscc",
        "用工单位统一社会信用代码",
        &["用工单位信用代码", "单位信用代码", "统一社会信用代码"],
        Kind::Code,
        false,
    ),
    field("status", "居住状态", &["状态"], Kind::Text, false),
    field(
        "departed_on",
        "注销日期",
        &["离开日期", "离开本地日期"],
        Kind::Date,
        false,
    ),
    field(
        "destination",
        "去向区划代码",
        &["去向", "去向代码", "去向地"],
        Kind::Code,
        false,
    ),
    field(
        "destination_address",
        "去向详址",
        &["去向地址"],
        Kind::Text,
        false,
    ),
    field(
        "departure_reason",
        "注销原因",
        &["离开原因"],
        Kind::Text,
        false,
    ),
];

const HOUSES: &[Field] = &[
    // Blank or absent: the community chosen for the sheet, or named in its title.
    field("unit", "所属社区代码", UNIT, Kind::Code, false),
    field(
        "address",
        "房屋地址",
        &["出租房屋地址", "房屋坐落", "坐落地址", "地址", "房屋详址"],
        Kind::Text,
        true,
    ),
    field(
        "landlord_kind",
        "出租人类型",
        &["房主类型", "房东类型", "出租人类别"],
        Kind::Text,
        true,
    ),
    field(
        "landlord_name",
        "出租人姓名或名称",
        &[
            "出租人",
            "出租人姓名",
            "出租人名称",
            "房主姓名",
            "房主",
            "房东姓名",
            "房东",
        ],
        Kind::Text,
        true,
    ),
    field(
        "landlord_id_number",
        "出租人公民身份号码",
        &[
            "出租人身份证号",
            "出租人身份证号码",
            "房主身份证号",
            "房主身份证号码",
            "房主公民身份号码",
            "房东身份证号",
            "房东身份证号码",
            "公民身份号码",
            "身份证号",
            "身份证号码",
        ],
        Kind::Code,
        false,
    ),
    field(
        "landlord_uscc",
        "出租单位统一社会信用代码",
        &["统一社会信用代码", "出租单位信用代码", "信用代码"],
        Kind::Code,
        false,
    ),
    field(
        "landlord_phone",
        "出租人联系电话",
        &["房主电话", "房东电话", "房主联系电话", "联系电话", "电话"],
        Kind::Code,
        false,
    ),
    field(
        "rooms",
        "出租间数",
        &["房间数", "出租房间数", "间数"],
        Kind::Integer,
        true,
    ),
    field("usage", "房屋用途", &["出租用途", "用途"], Kind::Text, true),
    field("filed_on", "备案日期", &["备案时间"], Kind::Date, false),
    field(
        "security_agreement_on",
        "治安责任书签订日期",
        &[
            "安全协议签订日期",
            "签订治安责任书日期",
            "治安责任书签订时间",
        ],
        Kind::Date,
        false,
    ),
];

const OUTFLOWS: &[Field] = &[
    field("id_number", "公民身份号码", ID_NUMBER, Kind::Code, true),
    field("name", "姓名", &["名字"], Kind::Text, true),
    // Blank or absent: the community chosen for the sheet, or named in its title.
    field(
        "unit",
        "户籍社区代码",
        &["户籍社区", "户籍村居"],
        Kind::Code,
        false,
    ),
    field(
        "left_on",
        "流出日期",
        &["外出日期", "流出时间", "外出时间", "离开日期"],
        Kind::Date,
        true,
    ),
    field(
        "destination",
        "流入地区划代码",
        &["流入地", "流入地代码", "流向地", "去向"],
        Kind::Code,
        true,
    ),
    field(
        "destination_address",
        "流入地详址",
        &["流入地址", "外出地址", "流入地详细地址"],
        Kind::Text,
        false,
    ),
    field("reason", "流出原因", &["外出原因"], Kind::Text, false),
    field(
        "employer_name",
        "务工单位",
        &["工作单位", "流入地工作单位", "服务处所"],
        Kind::Text,
        false,
    ),
    field(
        "contact_phone",
        "联系电话",
        &["联系方式", "手机", "电话"],
        Kind::Code,
        false,
    ),
    field(
        "left_behind",
        "留守家庭成员",
        &["留守人员", "留守老人儿童"],
        Kind::Text,
        false,
    ),
    // The date a person came back: the record is stored, then closed.
    field(
        "returned_on",
        "返回日期",
        &["回流日期", "返乡日期", "回来日期", "返回时间"],
        Kind::Date,
        false,
    ),
];

const EMPLOYERS: &[Field] = &[
    field(
        "uscc",
        "统一社会信用代码",
        &["信用代码", "社会信用代码"],
        Kind::Code,
        true,
    ),
    field(
        "name",
        "单位名称",
        &["名称", "企业名称", "用工单位"],
        Kind::Text,
        true,
    ),
    field(
        "legal_representative",
        "法定代表人",
        &["法人", "法人代表", "负责人"],
        Kind::Text,
        true,
    ),
    // Blank or absent: the community chosen for the sheet, or named in its title.
    field("unit", "所属社区代码", UNIT, Kind::Code, false),
    field(
        "address",
        "单位地址",
        &["地址", "经营地址", "注册地址"],
        Kind::Text,
        true,
    ),
    field(
        "phone",
        "联系电话",
        &["电话", "联系方式"],
        Kind::Code,
        false,
    ),
    field(
        "declared_workers",
        "流动人口用工人数",
        &["用工人数", "申报用工人数"],
        Kind::Integer,
        false,
    ),
];

impl Form {
    pub const ALL: [Form; 4] = [
        Self::Residents,
        Self::Houses,
        Self::Outflows,
        Self::Employers,
    ];

    /// The form's key, as the command line names it.
    pub fn key(self) -> &'static str {
        match self {
            Self::Residents => "residents",
            Self::Houses => "houses",
            Self::Outflows => "outflows",
            Self::Employers => "employers",
        }
    }

    /// The title printed above the header.
    pub fn title(self) -> &'static str {
        match self {
            Self::Residents => "流动人口信息登记表",
            Self::Houses => "出租房屋申请备案表",
            Self::Outflows => "流出人口登记表",
            Self::Employers => "用工单位登记表",
        }
    }

    pub fn fields(self) -> &'static [Field] {
        match self {
            Self::Residents => RESIDENTS,
            Self::Houses => HOUSES,
            Self::Outflows => OUTFLOWS,
            Self::Employers => EMPLOYERS,
        }
    }

    /// Whether a row read as this form (values in [`Form::fields`] order)
    /// is the template's own sample: the fields that identify a record
    /// (ID number and name, address and landlord, credit code and name)
    /// as [`Form::sample`] writes them. Templates handed out before the
    /// import knew its sample carry the same row.
    pub fn is_sample(self, values: &[Option<String>]) -> bool {
        let keys: &[&str] = match self {
            Self::Residents | Self::Outflows => &["id_number", "name"],
            Self::Houses => &["address", "landlord_name"],
            Self::Employers => &["uscc", "name"],
        };
        let sample = self.sample();
        let fields = self.fields();
        keys.iter().all(|key| {
            fields.iter().position(|f| f.key == *key).is_some_and(|i| {
                let given = values.get(i).and_then(Option::as_deref);
                given.is_some() && given == sample.get(i).copied()
            })
        })
    }

    /// A filled-in row for the template, in [`Form::fields`] order
    /// (synthetic data); the import skips it (see [`Form::is_sample`]).
    pub fn sample(self) -> &'static [&'static str] {
        match self {
            Self::Residents => &[
                "11010519491231002X",
                "张三",
                "女",
                "1949-12-31",
                "汉族",
                "410102001002",
                "中原路1号",
                "13812345678",
                "已婚",
                "",
                "",
                "",
                // No guardian: the sample resident is an adult.
                "",
                "",
                "",
                "",
                "110101001001",
                "2024-03-05",
                "12",
                "务工",
                "多福巷12号",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            Self::Houses => &[
                "110101001001",
                "多福巷12号",
                "个人",
                "李四",
                "110105196501010013",
                "",
                "13912345678",
                "3",
                "居住",
                "2024-01-10",
                "2024-01-10",
            ],
            Self::Outflows => &[
                "110105196501010013",
                "李四",
                "110101001001",
                "2024-02-01",
                "440304001",
                "福田区某路8号",
                "务工",
                "某电子厂",
                "13912345678",
                "王五/母亲/1940-05-06/",
                "",
            ],
            Self::Employers => &[
                "91110101MA01ABCD2C",
                "北京鑫达餐饮管理有限公司",
                "李明",
                "110101001001",
                "多福巷2号",
                "010-65123456",
                "12",
            ],
        }
    }
}

/// A header cell made comparable: no spaces, half-width, lower case,
/// without the marks and remarks forms add (`*`, `（必填）`, `(年月日)`).
pub fn header_words(cell: &str) -> String {
    let text = crate::normalise::half_width(cell);
    let mut words = String::with_capacity(text.len());
    let mut depth = 0_u32;
    for c in text.chars() {
        match c {
            '(' | '[' | '【' | '〔' => depth += 1,
            ')' | ']' | '】' | '〕' => depth = depth.saturating_sub(1),
            '*' | ':' | '：' => {}
            c if c.is_whitespace() => {}
            c if depth == 0 => words.extend(c.to_lowercase()),
            _ => {}
        }
    }
    words
}

impl Field {
    /// Whether a header cell (as [`header_words`] made it) names this field.
    pub fn is_named(&self, words: &str) -> bool {
        words == self.key
            || words == header_words(self.header)
            || self.synonyms.iter().any(|s| header_words(s) == words)
    }
}

/// The codes and names a coded column of `form` accepts, for the
/// template's 代码表 (empty for a column that takes free text).
pub fn codes_of(form: Form, key: &str) -> Vec<(&'static str, &'static str)> {
    use sojourn_domain::codes::{
        Education, Ethnicity, GuardianRelation, MaritalStatus, Occupation, PoliticalStatus,
        ReasonForStay, Sex,
    };
    macro_rules! table {
        ($t:ty) => {
            <$t>::ALL.iter().map(|v| (v.code(), v.name_zh())).collect()
        };
    }
    match (form, key) {
        (Form::Residents, "sex") => table!(Sex),
        (Form::Residents, "ethnicity") => table!(Ethnicity),
        (Form::Residents, "marital_status") => table!(MaritalStatus),
        (Form::Residents, "education") => table!(Education),
        (Form::Residents, "political_status") => table!(PoliticalStatus),
        (Form::Residents, "occupation") => table!(Occupation),
        (Form::Residents, "guardian_relation") => table!(GuardianRelation),
        (Form::Residents, "reason") => table!(ReasonForStay),
        (Form::Residents, "status") => vec![
            ("registered", "已登记"),
            ("active", "在住"),
            ("departed", "已注销"),
        ],
        _ => Vec::new(),
    }
}

/// How a column that takes a place is filled in, for the 代码表.
pub fn place_note(key: &str) -> Option<&'static str> {
    match key {
        "domicile" => Some(
            "行政区划代码（到村居12位、乡镇街道9位、县区6位），或写地名，如“河南省郑州市中原区”“河南郑州中原区”；不填或无法识别时按身份证号码推定，并列入数据质量监控",
        ),
        "destination" => Some(
            "行政区划代码或地名，尽量到乡镇（街道）；只知道到地市或省的，填地市或省（如 4403、44、广东省深圳市）",
        ),
        "unit" => Some(
            "本系统中社区（村居）、网格或采集点的代码；表中没有此列时，导入时选择本表所属社区，或在表标题中写明社区名称",
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_fill_every_field() {
        for form in Form::ALL {
            assert_eq!(form.sample().len(), form.fields().len(), "{form:?}");
        }
    }

    #[test]
    fn no_two_fields_of_a_form_share_a_header() {
        for form in Form::ALL {
            let fields = form.fields();
            for (i, a) in fields.iter().enumerate() {
                let mut names = vec![a.key.to_owned(), header_words(a.header)];
                names.extend(a.synonyms.iter().map(|s| header_words(s)));
                for b in &fields[i + 1..] {
                    for name in &names {
                        assert!(
                            !b.is_named(name),
                            "{form:?}: {name} names {} and {}",
                            a.key,
                            b.key
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn sample_codes_are_valid() {
        let uscc = Form::Employers.sample()[0];
        let check = sojourn_domain::codes::uscc::check_character(&uscc[..17]);
        assert_eq!(check, uscc.chars().last(), "{uscc}");
        for form in [Form::Residents, Form::Outflows] {
            assert!(sojourn_domain::codes::IdNumber::parse(form.sample()[0]).is_ok());
        }
    }

    #[test]
    fn header_marks_and_remarks_are_ignored() {
        assert_eq!(header_words(" *公民身份号码（必填） "), "公民身份号码");
        assert_eq!(header_words("出生日期(年月日)"), "出生日期");
        assert_eq!(header_words("ＩＤ＿Ｎｕｍｂｅｒ"), "id_number");
    }
}
