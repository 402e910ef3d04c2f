//! National code tables used on the registration forms. Each value parses
//! from its standard code or its Chinese name (what clerks type in Excel).

use crate::localized::Localized;
use thiserror::Error;

/// A value that is not in a code table.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{value:?} is not a code or name in the {table} table")]
pub struct CodeTableError {
    pub table: &'static str,
    pub table_zh: &'static str,
    pub value: String,
}

impl Localized for CodeTableError {
    fn code(&self) -> &'static str {
        "code_table_unknown"
    }
    fn message_zh(&self) -> String {
        format!("“{}”不是有效的{}代码或名称", self.value, self.table_zh)
    }
    fn message_en(&self) -> String {
        self.to_string()
    }
}

macro_rules! code_table {
    (
        $(#[$doc:meta])*
        $name:ident, $table:literal, $table_zh:literal {
            $($variant:ident = $code:literal, $zh:literal, $en:literal;)+
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in code order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const TABLE: &'static str = $table;
            pub const TABLE_ZH: &'static str = $table_zh;

            /// The standard code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            pub fn name_zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }
            pub fn name_en(self) -> &'static str {
                match self { $($name::$variant => $en),+ }
            }
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// Accepts the code, the Chinese name or the English name.
            pub fn parse(input: &str) -> Result<Self, CodeTableError> {
                let text = input.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
                // Codes typed with a Chinese input method come full-width.
                Self::from_code(&super::normalise_code_input(text))
                    .or_else(|| Self::ALL.iter().copied().find(|v| {
                        v.name_zh() == text || v.name_en().eq_ignore_ascii_case(text)
                    }))
                    .or_else(|| Self::from_alias(text))
                    .ok_or_else(|| CodeTableError {
                        table: $table,
                        table_zh: $table_zh,
                        value: text.to_owned(),
                    })
            }
        }
    };
}

code_table! {
    /// Sex, GB/T 2261.1-2003.
    Sex, "sex", "性别" {
        Unknown = "0", "未知的性别", "unknown";
        Male = "1", "男", "male";
        Female = "2", "女", "female";
        Unspecified = "9", "未说明的性别", "unspecified";
    }
}

impl Sex {
    fn from_alias(text: &str) -> Option<Self> {
        match text {
            "男性" | "M" | "m" => Some(Self::Male),
            "女性" | "F" | "f" => Some(Self::Female),
            "未知" => Some(Self::Unknown),
            "未说明" => Some(Self::Unspecified),
            _ => None,
        }
    }
}

code_table! {
    /// Marital status, GB/T 2261.2-2003.
    MaritalStatus, "marital status", "婚姻状况" {
        Unmarried = "10", "未婚", "unmarried";
        Married = "20", "已婚", "married";
        FirstMarriage = "21", "初婚", "first marriage";
        Remarried = "22", "再婚", "remarried";
        Reunited = "23", "复婚", "remarried to former spouse";
        Widowed = "30", "丧偶", "widowed";
        Divorced = "40", "离婚", "divorced";
        Unspecified = "90", "未说明的婚姻状况", "unspecified";
    }
}

impl MaritalStatus {
    fn from_alias(text: &str) -> Option<Self> {
        match text {
            "未说明" => Some(Self::Unspecified),
            _ => None,
        }
    }

    /// Whether the person is in a marriage now (family-planning follow-up
    /// concerns married women of childbearing age).
    pub fn is_married(self) -> bool {
        matches!(
            self,
            Self::Married | Self::FirstMarriage | Self::Remarried | Self::Reunited
        )
    }
}

code_table! {
    /// Education, GB/T 4658-2006 (the levels the forms use).
    Education, "education", "学历" {
        Postgraduate = "10", "研究生教育", "postgraduate";
        Doctorate = "11", "博士研究生", "doctorate";
        Master = "14", "硕士研究生", "master";
        University = "20", "大学本科", "bachelor";
        College = "30", "大学专科", "junior college";
        Secondary = "40", "中等职业教育", "secondary vocational";
        HighSchool = "60", "普通高级中学", "senior high school";
        JuniorHigh = "70", "初级中学", "junior high school";
        Primary = "80", "小学", "primary school";
        Other = "90", "其他", "other";
    }
}

impl Education {
    fn from_alias(text: &str) -> Option<Self> {
        Self::from_detailed_code(text)
            .or_else(|| Self::from_short_name(text))
            .or_else(|| Self::from_completion_name(text))
    }

    fn from_short_name(text: &str) -> Option<Self> {
        match text {
            "研究生" | "研究生班" => Some(Self::Postgraduate),
            "博士" => Some(Self::Doctorate),
            "硕士" => Some(Self::Master),
            "本科" | "大学" | "大学普通班" => Some(Self::University),
            "大专" | "专科" => Some(Self::College),
            "中专" | "中等专科" | "技校" | "技工学校" | "职高" | "职业高中" => {
                Some(Self::Secondary)
            }
            "高中" | "普通高中" => Some(Self::HighSchool),
            "初中" => Some(Self::JuniorHigh),
            "文盲" | "半文盲" | "不识字" => Some(Self::Other),
            _ => None,
        }
    }

    /// GB/T 4658-2006 names each level "…教育" and each completion "…毕业",
    /// "…结业" (finished without degree) or "…肄业" (left early); all of
    /// them count as the level on the registration forms.
    fn from_completion_name(text: &str) -> Option<Self> {
        let stem = ["教育", "毕业", "结业", "肄业"]
            .iter()
            .find_map(|suffix| text.strip_suffix(suffix))?;
        Self::ALL
            .iter()
            .copied()
            .find(|e| e.name_zh() == stem)
            .or_else(|| Self::from_short_name(stem))
    }

    /// The detailed GB/T 4658-2006 codes (21 大学本科毕业, 71 初中毕业, …)
    /// that exported spreadsheets carry, read as their level.
    fn from_detailed_code(text: &str) -> Option<Self> {
        match text {
            "11" | "12" | "13" => Some(Self::Doctorate),
            "14" | "15" | "16" => Some(Self::Master),
            "17" | "18" | "19" => Some(Self::Postgraduate),
            "21" | "22" | "23" | "28" => Some(Self::University),
            "31" | "32" | "33" => Some(Self::College),
            "41" | "42" | "43" | "44" | "45" | "46" | "47" | "48" | "49" => Some(Self::Secondary),
            "61" | "62" | "63" => Some(Self::HighSchool),
            "71" | "73" => Some(Self::JuniorHigh),
            "81" | "83" => Some(Self::Primary),
            _ => None,
        }
    }
}

code_table! {
    /// Political status, GB/T 4762-1984.
    PoliticalStatus, "political status", "政治面貌" {
        PartyMember = "01", "中国共产党党员", "CPC member";
        ProbationaryMember = "02", "中国共产党预备党员", "CPC probationary member";
        LeagueMember = "03", "中国共产主义青年团团员", "CYL member";
        RevolutionaryCommitteeKmt = "04", "中国国民党革命委员会会员",
            "member of the Revolutionary Committee of the Chinese Kuomintang";
        DemocraticLeague = "05", "中国民主同盟盟员", "member of the China Democratic League";
        DemocraticNationalConstruction = "06", "中国民主建国会会员",
            "member of the China National Democratic Construction Association";
        PromotingDemocracy = "07", "中国民主促进会会员",
            "member of the China Association for Promoting Democracy";
        PeasantsAndWorkers = "08", "中国农工民主党党员",
            "member of the Chinese Peasants' and Workers' Democratic Party";
        ZhiGong = "09", "中国致公党党员", "member of the China Zhi Gong Party";
        Jiusan = "10", "九三学社社员", "member of the Jiusan Society";
        TaiwanLeague = "11", "台湾民主自治同盟盟员",
            "member of the Taiwan Democratic Self-Government League";
        NonParty = "12", "无党派民主人士", "non-party democrat";
        Masses = "13", "群众", "ordinary citizen";
    }
}

impl PoliticalStatus {
    fn from_alias(text: &str) -> Option<Self> {
        match text {
            "党员" | "中共党员" | "流动党员" => Some(Self::PartyMember),
            "预备党员" | "中共预备党员" => Some(Self::ProbationaryMember),
            "团员" | "共青团员" => Some(Self::LeagueMember),
            "民革" | "民革党员" => Some(Self::RevolutionaryCommitteeKmt),
            "民盟" | "民盟盟员" => Some(Self::DemocraticLeague),
            "民建" | "民建会员" => Some(Self::DemocraticNationalConstruction),
            "民进" | "民进会员" => Some(Self::PromotingDemocracy),
            "农工党" | "农工党党员" => Some(Self::PeasantsAndWorkers),
            "致公党" | "致公党党员" => Some(Self::ZhiGong),
            "九三学社" => Some(Self::Jiusan),
            "台盟" | "台盟盟员" => Some(Self::TaiwanLeague),
            "无党派人士" | "无党派" => Some(Self::NonParty),
            _ => None,
        }
    }

    /// Member of one of the eight democratic parties (民主党派), codes 04–11.
    pub fn is_democratic_party_member(self) -> bool {
        matches!(
            self,
            Self::RevolutionaryCommitteeKmt
                | Self::DemocraticLeague
                | Self::DemocraticNationalConstruction
                | Self::PromotingDemocracy
                | Self::PeasantsAndWorkers
                | Self::ZhiGong
                | Self::Jiusan
                | Self::TaiwanLeague
        )
    }
}

code_table! {
    /// Occupation: the major groups of GB/T 6565-2015, plus the states the
    /// registration forms add for people without one.
    Occupation, "occupation", "职业" {
        Managers = "1", "党的机关、国家机关、群众团体和社会组织、企事业单位负责人", "managers";
        Professionals = "2", "专业技术人员", "professionals";
        Clerical = "3", "办事人员和有关人员", "clerical staff";
        ServiceWorkers = "4", "社会生产服务和生活服务人员", "service workers";
        AgricultureWorkers = "5", "农、林、牧、渔业生产及辅助人员", "agricultural workers";
        ProductionWorkers = "6", "生产制造及有关人员", "production workers";
        Military = "7", "军人", "military";
        Other = "8", "不便分类的其他从业人员", "other occupations";
        Student = "S", "学生", "student";
        Unemployed = "U", "无业", "unemployed";
        Retired = "R", "离退休", "retired";
    }
}

impl Occupation {
    fn from_alias(text: &str) -> Option<Self> {
        match text {
            "专业技术" | "技术人员" => Some(Self::Professionals),
            "办事人员" | "职员" => Some(Self::Clerical),
            "服务" | "服务人员" | "商业服务" | "经商" | "个体" => {
                Some(Self::ServiceWorkers)
            }
            "务农" | "农民" => Some(Self::AgricultureWorkers),
            "工人" | "务工" | "生产" => Some(Self::ProductionWorkers),
            "其他" => Some(Self::Other),
            "无业人员" | "待业" => Some(Self::Unemployed),
            "退休" => Some(Self::Retired),
            _ => None,
        }
    }
}

code_table! {
    /// A guardian's relation to the minor (监护人与未成年人关系), the
    /// register's own short table: the paper form offers these boxes.
    GuardianRelation, "guardian relation", "监护关系" {
        Father = "01", "父亲", "father";
        Mother = "02", "母亲", "mother";
        PaternalGrandparent = "03", "祖父母", "paternal grandparent";
        MaternalGrandparent = "04", "外祖父母", "maternal grandparent";
        OtherRelative = "05", "其他亲属", "other relative";
        Other = "99", "其他", "other";
    }
}

impl GuardianRelation {
    fn from_alias(text: &str) -> Option<Self> {
        match text {
            "父" | "爸爸" => Some(Self::Father),
            "母" | "妈妈" => Some(Self::Mother),
            "祖父" | "祖母" | "爷爷" | "奶奶" => Some(Self::PaternalGrandparent),
            "外祖父" | "外祖母" | "外公" | "外婆" => Some(Self::MaternalGrandparent),
            "亲属" | "亲戚" => Some(Self::OtherRelative),
            _ => None,
        }
    }
}

code_table! {
    /// Reason for stay (暂住事由) as on the common residence-registration forms.
    ReasonForStay, "reason for stay", "暂住事由" {
        Work = "01", "务工", "work";
        Business = "02", "经商", "business";
        Services = "03", "服务", "services";
        Study = "04", "学习培训", "study or training";
        Family = "05", "投靠亲友", "joining family or friends";
        Accompanying = "06", "随迁家属", "accompanying family";
        Marriage = "07", "婚姻嫁娶", "marriage";
        Medical = "08", "就医", "medical treatment";
        BusinessTrip = "09", "因公出差", "business trip";
        Tourism = "10", "旅游探亲", "tourism or visiting";
        Relocation = "11", "拆迁搬家", "relocation";
        Other = "99", "其他", "other";
        // Not in the standard: a ledger without the column says nothing of
        // the reason; the monitor lists each such stay for a clerk to ask.
        Unknown = "00", "不详", "unknown";
    }
}

impl ReasonForStay {
    fn from_alias(text: &str) -> Option<Self> {
        match text {
            "务工经商" | "打工" => Some(Self::Work),
            "学习" | "培训" | "上学" => Some(Self::Study),
            "投亲" | "投亲靠友" => Some(Self::Family),
            "出差" => Some(Self::BusinessTrip),
            "旅游" | "探亲" | "探亲访友" => Some(Self::Tourism),
            "未知" => Some(Self::Unknown),
            _ => None,
        }
    }
}

code_table! {
    /// Ethnicity, GB/T 3304-1991: the 56 groups, 97 other unrecognised groups
    /// and 98 naturalised foreign-born citizens.
    Ethnicity, "ethnicity", "民族" {
        Han = "01", "汉族", "Han";
        Mongol = "02", "蒙古族", "Mongol";
        Hui = "03", "回族", "Hui";
        Tibetan = "04", "藏族", "Tibetan";
        Uyghur = "05", "维吾尔族", "Uyghur";
        Miao = "06", "苗族", "Miao";
        Yi = "07", "彝族", "Yi";
        Zhuang = "08", "壮族", "Zhuang";
        Bouyei = "09", "布依族", "Bouyei";
        Korean = "10", "朝鲜族", "Korean";
        Manchu = "11", "满族", "Manchu";
        Dong = "12", "侗族", "Dong";
        Yao = "13", "瑶族", "Yao";
        Bai = "14", "白族", "Bai";
        Tujia = "15", "土家族", "Tujia";
        Hani = "16", "哈尼族", "Hani";
        Kazakh = "17", "哈萨克族", "Kazakh";
        Dai = "18", "傣族", "Dai";
        Li = "19", "黎族", "Li";
        Lisu = "20", "傈僳族", "Lisu";
        Va = "21", "佤族", "Va";
        She = "22", "畲族", "She";
        Gaoshan = "23", "高山族", "Gaoshan";
        Lahu = "24", "拉祜族", "Lahu";
        Shui = "25", "水族", "Shui";
        Dongxiang = "26", "东乡族", "Dongxiang";
        Nakhi = "27", "纳西族", "Nakhi";
        Jingpo = "28", "景颇族", "Jingpo";
        Kyrgyz = "29", "柯尔克孜族", "Kyrgyz";
        Tu = "30", "土族", "Tu";
        Daur = "31", "达斡尔族", "Daur";
        Mulao = "32", "仫佬族", "Mulao";
        Qiang = "33", "羌族", "Qiang";
        Blang = "34", "布朗族", "Blang";
        Salar = "35", "撒拉族", "Salar";
        Maonan = "36", "毛南族", "Maonan";
        Gelao = "37", "仡佬族", "Gelao";
        Xibe = "38", "锡伯族", "Xibe";
        Achang = "39", "阿昌族", "Achang";
        Pumi = "40", "普米族", "Pumi";
        Tajik = "41", "塔吉克族", "Tajik";
        Nu = "42", "怒族", "Nu";
        Uzbek = "43", "乌孜别克族", "Uzbek";
        Russian = "44", "俄罗斯族", "Russian";
        Evenk = "45", "鄂温克族", "Evenk";
        Deang = "46", "德昂族", "Deang";
        Bonan = "47", "保安族", "Bonan";
        Yugur = "48", "裕固族", "Yugur";
        Gin = "49", "京族", "Gin";
        Tatar = "50", "塔塔尔族", "Tatar";
        Derung = "51", "独龙族", "Derung";
        Oroqen = "52", "鄂伦春族", "Oroqen";
        Hezhen = "53", "赫哲族", "Hezhen";
        Monba = "54", "门巴族", "Monba";
        Lhoba = "55", "珞巴族", "Lhoba";
        Jino = "56", "基诺族", "Jino";
        Other = "97", "其他", "other";
        Naturalised = "98", "外国血统中国籍人士", "naturalised citizen of foreign origin";
    }
}

impl Ethnicity {
    /// "汉" for "汉族" and "1" for "01", as typed on forms.
    fn from_alias(text: &str) -> Option<Self> {
        if text.len() == 1 && text.as_bytes()[0].is_ascii_digit() {
            return Self::from_code(&format!("0{text}"));
        }
        Self::ALL
            .iter()
            .copied()
            .find(|e| e.name_zh().strip_suffix('族') == Some(text))
            .or_else(|| Self::from_other_name(text))
    }

    /// Other names met in records: GB/T 3304's own romanisations where they
    /// differ from the English names above, and the wordings of 97 and 98.
    fn from_other_name(text: &str) -> Option<Self> {
        let found = match text.to_ascii_lowercase().as_str() {
            "zang" => Self::Tibetan,
            "uygur" => Self::Uyghur,
            "buyei" => Self::Bouyei,
            "chosen" => Self::Korean,
            "man" => Self::Manchu,
            "kazak" => Self::Kazakh,
            "sui" => Self::Shui,
            "naxi" => Self::Nakhi,
            "kirgiz" => Self::Kyrgyz,
            "russ" => Self::Russian,
            "ewenki" => Self::Evenk,
            _ => match text {
                "其他民族" | "未识别民族" | "未定族称人口" => Self::Other,
                "外国血统" | "外国人入籍" | "入籍" => Self::Naturalised,
                _ => return None,
            },
        };
        Some(found)
    }
}

code_table! {
    /// Contraceptive method (避孕方法), as the family-planning follow-up
    /// of married women of childbearing age records it (R4.3).
    ContraceptiveMethod, "contraceptive method", "避孕方法" {
        Iud = "01", "宫内节育器", "intrauterine device";
        Implant = "02", "皮下埋植", "implant";
        FemaleSterilisation = "03", "女性绝育", "female sterilisation";
        MaleSterilisation = "04", "男性绝育", "male sterilisation";
        Injection = "05", "避孕针", "injection";
        Pill = "06", "口服避孕药", "oral pill";
        Condom = "07", "避孕套", "condom";
        Topical = "08", "外用避孕药", "topical contraceptive";
        Other = "09", "其他", "other";
    }
}

impl ContraceptiveMethod {
    fn from_alias(text: &str) -> Option<Self> {
        match text {
            "上环" | "放环" | "节育环" | "IUD" => Some(Self::Iud),
            "结扎" | "女扎" => Some(Self::FemaleSterilisation),
            "男扎" => Some(Self::MaleSterilisation),
            "避孕药" => Some(Self::Pill),
            _ => None,
        }
    }

    /// A long-acting method (长效避孕措施): IUD, implant or sterilisation.
    /// A woman without one is a key group of the follow-up.
    pub fn is_long_acting(self) -> bool {
        matches!(
            self,
            Self::Iud | Self::Implant | Self::FemaleSterilisation | Self::MaleSterilisation
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ethnicity_table_has_56_groups_and_two_others() {
        assert_eq!(Ethnicity::ALL.len(), 58);
        assert_eq!(Ethnicity::parse("汉"), Ok(Ethnicity::Han));
        assert_eq!(Ethnicity::parse("1"), Ok(Ethnicity::Han));
        assert_eq!(Ethnicity::parse("56"), Ok(Ethnicity::Jino));
        assert_eq!(Ethnicity::parse("维吾尔族"), Ok(Ethnicity::Uyghur));
    }

    #[test]
    fn tables_parse_codes_names_and_aliases() {
        assert_eq!(Sex::parse("女"), Ok(Sex::Female));
        assert_eq!(MaritalStatus::parse("20"), Ok(MaritalStatus::Married));
        assert_eq!(Education::parse("大专"), Ok(Education::College));
        assert_eq!(ReasonForStay::parse("务工经商"), Ok(ReasonForStay::Work));
        assert_eq!(
            PoliticalStatus::parse("流动党员"),
            Ok(PoliticalStatus::PartyMember)
        );
    }

    /// Codes and names are unique, and each parses back to its value.
    macro_rules! assert_table_round_trips {
        ($($table:ty),+) => {$(
            for value in <$table>::ALL.iter().copied() {
                for text in [value.code(), value.name_zh(), value.name_en()] {
                    assert_eq!(<$table>::parse(text), Ok(value), "{} {text:?}", <$table>::TABLE);
                }
                let same_code = <$table>::ALL.iter().filter(|v| v.code() == value.code());
                assert_eq!(same_code.count(), 1, "{}", value.code());
            }
        )+};
    }

    #[test]
    fn every_table_round_trips_codes_and_names() {
        assert_table_round_trips!(
            Sex,
            MaritalStatus,
            Education,
            PoliticalStatus,
            Occupation,
            ReasonForStay,
            Ethnicity,
            GuardianRelation
        );
    }

    #[test]
    fn full_width_codes_are_read() {
        assert_eq!(Ethnicity::parse("０１"), Ok(Ethnicity::Han));
        assert_eq!(MaritalStatus::parse(" ２０ "), Ok(MaritalStatus::Married));
    }

    #[test]
    fn political_status_follows_gb_t_4762_code_by_code() {
        assert_eq!(PoliticalStatus::ALL.len(), 13);
        assert_eq!(
            PoliticalStatus::parse("04"),
            Ok(PoliticalStatus::RevolutionaryCommitteeKmt)
        );
        assert_eq!(
            PoliticalStatus::parse("九三学社"),
            Ok(PoliticalStatus::Jiusan)
        );
        assert_eq!(
            PoliticalStatus::parse("无党派人士"),
            Ok(PoliticalStatus::NonParty)
        );
        assert!(PoliticalStatus::parse("民盟").is_ok_and(|p| p.is_democratic_party_member()));
        assert!(!PoliticalStatus::Masses.is_democratic_party_member());
    }

    #[test]
    fn education_reads_detailed_codes_and_completion_names_as_their_level() {
        assert_eq!(Education::parse("21"), Ok(Education::University));
        assert_eq!(Education::parse("71"), Ok(Education::JuniorHigh));
        assert_eq!(Education::parse("47"), Ok(Education::Secondary));
        assert_eq!(Education::parse("大学本科毕业"), Ok(Education::University));
        assert_eq!(Education::parse("初中肄业"), Ok(Education::JuniorHigh));
        assert_eq!(Education::parse("普通高中毕业"), Ok(Education::HighSchool));
        assert_eq!(Education::parse("博士研究生毕业"), Ok(Education::Doctorate));
        assert_eq!(Education::parse("小学教育"), Ok(Education::Primary));
        assert!(Education::parse("50").is_err());
    }

    #[test]
    fn ethnicity_reads_gb_t_3304_romanisations() {
        assert_eq!(Ethnicity::parse("Zang"), Ok(Ethnicity::Tibetan));
        assert_eq!(Ethnicity::parse("UYGUR"), Ok(Ethnicity::Uyghur));
        assert_eq!(Ethnicity::parse("未识别民族"), Ok(Ethnicity::Other));
    }

    #[test]
    fn unknown_values_name_the_table() {
        let err = Ethnicity::parse("火星族").expect_err("unknown");
        assert_eq!(err.table_zh, "民族");
        assert!(err.message_zh().contains("火星族"));
    }
}
