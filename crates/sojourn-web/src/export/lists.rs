//! The lists that can be exported: their keys, pages, titles, and the
//! register each belongs to.

use super::spec::LayoutKind;
use crate::i18n::Lang;
use sojourn_domain::account::Resource;

/// A list that can be exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportList {
    Residents,
    Houses,
    Employers,
    Outflows,
    /// 审核队列: records awaiting the station's decision.
    ReviewQueue,
    /// 待更正: records returned for correction.
    ReviewCorrections,
    /// 超时未录入: collected records not entered within 24 hours.
    ReviewOverdue,
    /// 待抽查: approved records awaiting a spot check.
    ReviewSpotChecks,
    /// 工作量统计: steps per person and unit.
    ReviewCounts,
    /// 问题清单: the data-quality findings of a rule (or all).
    QualityFindings,
    /// 疑似重复档案: the duplicate queue.
    QualityDuplicates,
    /// A residence-permit worklist, or the register 居住证台账.
    Permits,
}

impl ExportList {
    pub const ALL: [Self; 12] = [
        Self::Residents,
        Self::Houses,
        Self::Employers,
        Self::Outflows,
        Self::ReviewQueue,
        Self::ReviewCorrections,
        Self::ReviewOverdue,
        Self::ReviewSpotChecks,
        Self::ReviewCounts,
        Self::QualityFindings,
        Self::QualityDuplicates,
        Self::Permits,
    ];

    /// The list's word in the API's paths (`residents`, `review-queue`).
    pub fn key(self) -> &'static str {
        match self {
            Self::Residents => "residents",
            Self::Houses => "houses",
            Self::Employers => "employers",
            Self::Outflows => "outflows",
            Self::ReviewQueue => "review-queue",
            Self::ReviewCorrections => "review-corrections",
            Self::ReviewOverdue => "review-overdue",
            Self::ReviewSpotChecks => "review-spot-checks",
            Self::ReviewCounts => "review-counts",
            Self::QualityFindings => "quality-findings",
            Self::QualityDuplicates => "quality-duplicates",
            Self::Permits => "permits",
        }
    }

    /// The list's name at the head of a downloaded file's name: a
    /// register's 台账 (the paper form's columns) or 名单 (the page's).
    pub(super) fn file_title(self, layout: LayoutKind, lang: Lang) -> &'static str {
        let ledger = layout == LayoutKind::Ledger;
        let (zh, en) = match self {
            Self::Residents if ledger => ("流动人口台账", "floating-population-ledger"),
            Self::Residents => ("流动人口名单", "floating-population"),
            Self::Houses if ledger => ("出租房屋台账", "rental-houses-ledger"),
            Self::Houses => ("出租房屋名单", "rental-houses"),
            Self::Employers if ledger => ("用工单位台账", "employers-ledger"),
            Self::Employers => ("用工单位名单", "employers"),
            Self::Outflows if ledger => ("流出人口台账", "outflow-ledger"),
            Self::Outflows => ("流出人口名单", "outflow"),
            Self::ReviewQueue => ("待审核", "awaiting-review"),
            Self::ReviewCorrections => ("退回待更正", "returned-for-correction"),
            Self::ReviewOverdue => ("逾期录入", "overdue-entry"),
            Self::ReviewSpotChecks => ("待抽查", "awaiting-spot-check"),
            Self::ReviewCounts => ("工作量统计", "workload"),
            Self::QualityFindings => ("问题清单", "data-problems"),
            Self::QualityDuplicates => ("疑似重复档案", "probable-duplicates"),
            Self::Permits => ("居住证台账", "residence-permits"),
        };
        lang.pick(zh, en)
    }

    /// The list's page; its exports live under `{page}/export`.
    pub fn page_path(self) -> &'static str {
        match self {
            Self::Residents => "/residents",
            Self::Houses => "/houses",
            Self::Employers => "/employers",
            Self::Outflows => "/outflows",
            Self::ReviewQueue => "/review",
            Self::ReviewCorrections => "/review/corrections",
            Self::ReviewOverdue => "/review/overdue",
            Self::ReviewSpotChecks => "/review/spot-checks",
            Self::ReviewCounts => "/review/counts",
            Self::QualityFindings => "/quality/findings",
            Self::QualityDuplicates => "/quality/duplicates",
            Self::Permits => "/permits",
        }
    }

    /// The list a path names: the API's `/api/v1/exports/{key}…`, or a
    /// page's `{page}/export…`.
    pub fn of_path(path: &str) -> Option<Self> {
        if let Some((_, rest)) = path.split_once("/exports/") {
            let key = rest.split('/').next().unwrap_or_default();
            return Self::ALL.into_iter().find(|l| l.key() == key);
        }
        let (page, _) = path.split_once("/export")?;
        Self::ALL.into_iter().find(|l| l.page_path() == page)
    }

    /// The resource whose `Export` permission the list needs.
    pub fn resource(self) -> Resource {
        match self {
            Self::Residents => Resource::Resident,
            Self::Houses => Resource::House,
            Self::Employers => Resource::Employer,
            Self::Outflows => Resource::Outflow,
            Self::ReviewQueue
            | Self::ReviewCorrections
            | Self::ReviewOverdue
            | Self::ReviewSpotChecks
            | Self::ReviewCounts => Resource::Review,
            Self::QualityFindings | Self::QualityDuplicates => Resource::Quality,
            Self::Permits => Resource::Permit,
        }
    }

    /// Whether the list shows ID or phone numbers (masked unless revealed)
    /// and has a ledger beside its page's columns: the registers.
    pub fn is_register(self) -> bool {
        matches!(
            self,
            Self::Residents | Self::Houses | Self::Employers | Self::Outflows
        )
    }

    /// The ledger's title (and sheet name).
    pub fn ledger_title(self) -> &'static str {
        match self {
            Self::Residents => "流动人口登记台账",
            Self::Houses => "出租房屋台账",
            Self::Employers => "用工单位台账",
            Self::Outflows => "流出人口台账",
            Self::ReviewQueue => "审核队列",
            Self::ReviewCorrections => "待更正",
            Self::ReviewOverdue => "超时未录入",
            Self::ReviewSpotChecks => "待抽查",
            Self::ReviewCounts => "工作量统计",
            Self::QualityFindings => "问题清单",
            Self::QualityDuplicates => "疑似重复档案",
            Self::Permits => "居住证台账",
        }
    }

    /// The message of the list page's title.
    pub fn title_key(self) -> &'static str {
        match self {
            Self::Residents => "residents-title",
            Self::Houses => "houses-title",
            Self::Employers => "employers-title",
            Self::Outflows => "outflows-title",
            Self::ReviewQueue => "review-queue-title",
            Self::ReviewCorrections => "review-corrections-title",
            Self::ReviewOverdue => "review-overdue-title",
            Self::ReviewSpotChecks => "review-spot-checks-title",
            Self::ReviewCounts => "review-counts-title",
            Self::QualityFindings => "quality-findings-title",
            Self::QualityDuplicates => "quality-duplicates-title",
            Self::Permits => "permits-title",
        }
    }
}
