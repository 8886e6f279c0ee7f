//! The engine's own words in tables and reports, in the pack's language (`"language":
//! "zh"`) or the one asked for (`--lang`); the pack's titles are shown as written.

use crate::pack::spec::Language;

/// The words of one language.
#[derive(Debug, Clone, Copy)]
#[cfg_attr(not(feature = "tables"), allow(dead_code))]
pub(crate) struct Words {
    pub indicator: &'static str,
    pub value: &'static str,
    pub of: &'static str,
    pub target: &'static str,
    pub met: &'static str,
    pub not_met: &'static str,
    pub points: &'static str,
    pub evidence: &'static str,
    pub not_applicable: &'static str,
    pub excluded: &'static str,
    pub records_excluded: &'static str,
    pub set_aside: &'static str,
    pub members: &'static str,
    pub all: &'static str,
    pub by_category: &'static str,
    pub indicators_overall: &'static str,
    pub matrix: &'static str,
    pub matrix_note: &'static str,
    pub scorecard: &'static str,
    pub total: &'static str,
    pub grade: &'static str,
    pub actions: &'static str,
    pub none: &'static str,
    pub section: &'static str,
    pub score: &'static str,
    pub full_marks: &'static str,
    pub graded_overall: &'static str,
    pub jurisdictions: &'static str,
    pub jurisdiction: &'static str,
    pub name: &'static str,
    pub parent: &'static str,
    pub indicators_met: &'static str,
    pub records: &'static str,
    pub collection: &'static str,
    pub read: &'static str,
    pub used: &'static str,
    pub rejected: &'static str,
    pub reason: &'static str,
    pub key: &'static str,
    pub period: &'static str,
    pub period_to: &'static str,
    pub as_of: &'static str,
    pub no_period: &'static str,
    pub grades: &'static str,
    pub count: &'static str,
    pub share: &'static str,
    /// Beside an incomplete indicator's value.
    pub incomplete: &'static str,
    /// Beside a provisional total.
    pub provisional: &'static str,
}

const EN: Words = Words {
    indicator: "indicator",
    value: "value",
    of: "of",
    target: "target",
    met: "met",
    not_met: "NOT MET",
    points: "points",
    evidence: "evidence",
    not_applicable: "n/a (0 ÷ 0)",
    excluded: "excluded",
    records_excluded: "excluded",
    set_aside: "Rejected and excluded",
    members: "members",
    all: "all",
    by_category: "by category",
    indicators_overall: "Indicators, all jurisdictions",
    matrix: "Indicators by jurisdiction",
    matrix_note: "✗ not met",
    scorecard: "Scorecard",
    total: "total",
    grade: "grade",
    actions: "actions",
    none: "none",
    section: "section",
    score: "score",
    full_marks: "of",
    graded_overall: "Graded, all jurisdictions",
    jurisdictions: "Jurisdictions",
    jurisdiction: "jurisdiction",
    name: "name",
    parent: "parent",
    indicators_met: "indicators met",
    records: "Records",
    collection: "collection",
    read: "read",
    used: "used",
    rejected: "rejected",
    reason: "reason",
    key: "key",
    period: "period",
    period_to: "to",
    as_of: "assessed as of",
    no_period: "no period (nothing in the pack is dated)",
    grades: "Grades",
    count: "count",
    share: "share",
    incomplete: "incomplete",
    provisional: "provisional",
};

const ZH: Words = Words {
    indicator: "指标",
    value: "数值",
    of: "分子/分母",
    target: "目标",
    met: "达标",
    not_met: "未达标",
    points: "得分",
    evidence: "依据",
    not_applicable: "不适用 (0 ÷ 0)",
    excluded: "合理缺项",
    records_excluded: "排除",
    set_aside: "拒收与排除",
    members: "个",
    all: "全部",
    by_category: "分类",
    indicators_overall: "指标（全辖区）",
    matrix: "各辖区指标",
    matrix_note: "✗ 未达标",
    scorecard: "考核评分",
    total: "总分",
    grade: "等级",
    actions: "处理",
    none: "无",
    section: "项目",
    score: "得分",
    full_marks: "满分",
    graded_overall: "评定（全辖区）",
    jurisdictions: "各辖区",
    jurisdiction: "辖区",
    name: "名称",
    parent: "上级",
    indicators_met: "达标指标",
    records: "记录",
    collection: "数据集",
    read: "读入",
    used: "采用",
    rejected: "拒收",
    reason: "原因",
    key: "编号",
    period: "考核期",
    period_to: "至",
    as_of: "评估日",
    no_period: "无考核期（本规则包不涉及日期）",
    grades: "等级分布",
    count: "数量",
    share: "占比",
    incomplete: "数据不完整",
    provisional: "暂定",
};

impl Words {
    /// The words of `lang`.
    pub(crate) fn of(lang: Language) -> &'static Words {
        match lang {
            Language::En => &EN,
            Language::Zh => &ZH,
        }
    }
}

/// The outcome's incompleteness in a few sentences, for the top of every rendering: how
/// many records were rejected and from where, the indicators computed without them (by
/// title) and what they are worth, and whether the scorecard is provisional. None when
/// nothing was rejected.
pub(crate) fn incomplete_note(o: &super::Outcome, lang: Language) -> Option<String> {
    use crate::pack::spec::OnIncomplete;
    let lacks = o.incomplete.as_ref()?;
    let zh = lang == Language::Zh;
    let by: Vec<String> = lacks
        .collections
        .iter()
        .map(|c| {
            let n = o.accounting.get(c).map_or(0, |a| a.rejected.len());
            match zh {
                true => format!("{c} {n} 条"),
                false => format!("{c} {n}"),
            }
        })
        .collect();
    let named = |policy: OnIncomplete| -> Vec<String> {
        o.indicators_in_order()
            .filter(|(_, r)| {
                r.incomplete
                    .as_ref()
                    .is_some_and(|i| i.on_incomplete == policy)
            })
            // those judged: an indicator without a target or points is only marked
            .filter(|(_, r)| r.met.is_some() || r.points.is_some())
            .map(|(id, r)| r.title.clone().unwrap_or_else(|| id.clone()))
            .collect()
    };
    let (failed, scored) = (named(OnIncomplete::Fail), named(OnIncomplete::Score));
    let sep = if zh { "、" } else { ", " };
    let mut out = match zh {
        true => format!(
            "数据不完整：拒收记录 {} 条（{}）。",
            lacks.rejected,
            by.join("，")
        ),
        false => format!(
            "Incomplete: {} record(s) rejected ({}).",
            lacks.rejected,
            by.join(", ")
        ),
    };
    if !failed.is_empty() {
        out += &match zh {
            true => format!(
                "以下指标缺少这些记录，按未达标、不得分计：{}。",
                failed.join(sep)
            ),
            false => format!(
                " Computed without them, so not met and without points: {}.",
                failed.join(sep)
            ),
        };
    }
    if !scored.is_empty() {
        out += &match zh {
            true => format!(
                "以下指标缺少这些记录，按现有记录计分：{}。",
                scored.join(sep)
            ),
            false => format!(
                " Computed without them, scored on the records there are: {}.",
                scored.join(sep)
            ),
        };
    }
    if lacks.scorecard {
        out += match zh {
            true => "考核总分与等级为暂定，待数据补正后重新评分。",
            false => " The scorecard's total and grade are provisional until the data are whole.",
        };
    }
    Some(out)
}
