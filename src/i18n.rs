//! Built-in UI strings for the default theme, in Chinese and English. A site overrides any of
//! them in `[languages.<code>.strings]`; other languages fall back to English.

use std::collections::BTreeMap;

const STRINGS: &[(&str, &str, &str)] = &[
    // key, zh, en
    ("home", "首页", "Home"),
    ("regions", "友好省州", "Partner regions"),
    ("events", "大事记", "Events"),
    ("timeline", "时间线", "Timeline"),
    ("map", "地图", "Map"),
    ("search", "搜索", "Search"),
    (
        "search_placeholder",
        "搜索友城、活动……",
        "Search regions, events…",
    ),
    ("search_no_results", "没有找到结果", "No results"),
    ("search_results", "找到{n}个结果", "{n} results"),
    (
        "search_failed",
        "搜索索引无法加载",
        "The search index could not be loaded",
    ),
    (
        "search_needs_script",
        "站内搜索需要启用JavaScript。",
        "Searching this site needs JavaScript.",
    ),
    ("about", "关于", "About"),
    ("menu", "菜单", "Menu"),
    ("skip_to_content", "跳到正文", "Skip to content"),
    ("language", "语言", "Language"),
    ("read_more", "阅读全文", "Read more"),
    ("country", "国家", "Country"),
    ("established", "结好时间", "Relation established"),
    ("established_entry", "建立友好关系", "Relation established"),
    (
        "status_preparing",
        "正在筹备结好",
        "Relation in preparation",
    ),
    ("status_established", "已结好", "Established"),
    ("date", "日期", "Date"),
    ("kind", "类型", "Kind"),
    ("kind_anniversary", "周年纪念", "Anniversary"),
    ("kind_visit", "访问", "Visit"),
    ("kind_signing", "签约", "Signing"),
    ("kind_publication", "出版", "Publication"),
    ("kind_other", "其他", "Other"),
    ("kind_established", "结好", "Relation established"),
    ("regions_involved", "相关友城", "Regions involved"),
    ("region_events", "相关活动", "Events with this region"),
    ("no_events", "暂无活动。", "No events yet."),
    ("next_anniversary", "下一个结好周年", "Next anniversary"),
    (
        "upcoming_anniversaries",
        "即将到来的结好周年",
        "Upcoming anniversaries",
    ),
    ("anniversary_label", "结好{n}周年", "{ordinal} anniversary"),
    ("all", "全部", "All"),
    ("filter_kind", "按类型筛选", "Filter by kind"),
    ("filter_region", "按友城筛选", "Filter by region"),
    ("years", "年份", "Years"),
    ("on_this_page", "本页目录", "On this page"),
    ("tags", "标签", "Tags"),
    ("reading_time", "阅读约{n}分钟", "{n} min read"),
    ("words", "{n}字", "{n} words"),
    ("latest_events", "最新动态", "Latest events"),
    ("all_events", "全部活动", "All events"),
    ("all_regions", "全部友好省州", "All partner regions"),
    ("hub", "河南", "Henan"),
    ("europe", "欧洲", "Europe"),
    ("asia", "亚洲", "Asia"),
    ("africa", "非洲", "Africa"),
    ("north-america", "北美洲", "North America"),
    ("south-america", "南美洲", "South America"),
    ("oceania", "大洋洲", "Oceania"),
    ("antarctica", "南极洲", "Antarctica"),
    ("other-continent", "其他", "Elsewhere"),
    (
        "map_caption",
        "河南省国际友好省州分布图",
        "Henan's sister regions around the world",
    ),
    ("map_list", "按国家列出", "By country"),
    ("explore_map", "查看地图", "Explore the map"),
    ("zoom_in", "放大", "Zoom in"),
    ("zoom_out", "缩小", "Zoom out"),
    ("zoom_reset", "复位", "Reset the view"),
    ("filter_count", "显示{n}条", "{n} shown"),
    ("locator", "位置", "Location"),
    ("not_found_title", "页面未找到", "Page not found"),
    (
        "not_found_text",
        "您要找的页面不存在。",
        "The page you are looking for does not exist.",
    ),
    (
        "translation_missing",
        "本页暂无该语言版本",
        "This page is not yet translated",
    ),
    (
        "fallback_notice",
        "本页尚未译成中文，以下为{language}原文。",
        "This page has not been translated into English yet; it is shown in {language}.",
    ),
    (
        "fallback_original",
        "查看原文页面",
        "Go to the original page",
    ),
    (
        "outdated_notice",
        "本译文可能已过时：{language}版本于{date}修改，晚于本译文（{then}）。此提示仅在预览中显示。",
        "This translation may be out of date: the {language} version was changed on {date}, after this one ({then}). This notice shows in the preview only.",
    ),
    ("outdated_newer", "查看较新的版本", "Go to the newer version"),
    ("language_zh", "中文", "Chinese"),
    ("language_en", "英文", "English"),
    ("feed", "订阅", "Feed"),
    (
        "footer",
        "河南省国际友好省州故事",
        "Stories of Henan's sister regions",
    ),
    ("choose_language", "请选择语言", "Choose a language"),
    ("pages", "页面", "Pages"),
    ("countries", "国家", "Countries"),
    (
        "countries_description",
        "河南省国际友好省州所在的国家，按大洲排列。",
        "The countries of Henan's sister regions, by continent.",
    ),
    ("all_countries", "全部国家", "All countries"),
    ("region_count", "{n}个友好省州", "{n} partner regions"),
    ("region_count_one", "1个友好省州", "1 partner region"),
    ("no_countries", "暂无友好省州。", "No partner regions yet."),
    (
        "tags_description",
        "本站使用的全部标签，常用的在前。",
        "Every tag of this site, the most used first.",
    ),
    ("tagged", "标签：{tag}", "Tagged “{tag}”"),
    ("all_tags", "全部标签", "All tags"),
    ("no_tags", "暂无标签。", "No tags yet."),
    ("previous", "上一页", "Previous"),
    ("next", "下一页", "Next"),
];

/// The built-in strings for a language code.
pub fn default_strings(code: &str) -> BTreeMap<String, String> {
    let zh = code.starts_with("zh");
    STRINGS
        .iter()
        .map(|(k, z, e)| ((*k).to_owned(), (if zh { *z } else { *e }).to_owned()))
        .collect()
}

/// The language's name in itself, for a switcher.
pub fn language_name(code: &str) -> &'static str {
    match code {
        "zh" => "中文",
        "en" => "English",
        "fr" => "Français",
        "de" => "Deutsch",
        "el" => "Ελληνικά",
        "es" => "Español",
        "it" => "Italiano",
        "ja" => "日本語",
        "ko" => "한국어",
        "pl" => "Polski",
        "ru" => "Русский",
        _ => "",
    }
}
