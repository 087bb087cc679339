"""The labelled listing pages: where each page comes from and how its expected links were read.

    python -m evaluation.listing_labels          # rebuild manifest entries of pages present locally

PAGES gives each page's source (repository, path, commit), its address, kind and capture date.
SPECS records, per page, the reading of its markup under the counting rule of
evaluation/manifests/README.md (see evaluation.labeltool): which URL shape is one article there,
which boxes or items do not count and why. Running this module applies the specs to the local copies
and writes evaluation/manifests/listing_pages.json; entries of pages that are not present locally
are kept as they are. The split (tune / frozen) is fixed by the page id (see `split_of`).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from evaluation.labeltool import Spec, label

ROOT = Path(__file__).parent
LOCAL = ROOT / "local" / "pages"
MANIFEST = ROOT / "manifests" / "listing_pages.json"
JSCM = ("silverfoxy/JSCryptoMinerStudy", "afccd315654b9e4091c20fd0c385a89b1bbb3b3c")
KNK = "ainaju618-blip/koreanewskorea"
BTP = "baltop/btp_scraper"  # debug dumps of public agencies' announcement boards (a scraper project, 2025)
BIZ = "baltop/bizsupport"  # the same author's earlier project


def split_of(page_id: str) -> str:
    """Frozen for about one page in three, by the page id alone (decided before any tuning)."""
    return "frozen" if int(hashlib.sha256(page_id.encode()).hexdigest(), 16) % 3 == 0 else "tune"


# id -> (repository, path, commit, page URL, kind, captured, notes)
PAGES: dict[str, dict[str, str]] = {
    "etnews-com-home-2018": {
        "repo": JSCM[0],
        "path": "pagesource/etnews.com",
        "commit": JSCM[1],
        "url": "http://www.etnews.com/",
        "kind": "home",
        "captured": "2018-03-19",
        "notes": "IT daily (전자신문). Same article under many ?mc= box codes; side column of <aside> boxes; "
        "a hidden tab (카드뉴스/모션그래픽); redirect_log.html?url= wrappers; family outlets "
        "(rpm9.com, nextdaily.co.kr) in a bottom box.",
    },
    "dt-co-kr-home-2018": {
        "repo": JSCM[0],
        "path": "pagesource/dt.co.kr",
        "commit": JSCM[1],
        "url": "http://www.dt.co.kr/",
        "kind": "home",
        "captured": "2018-03-23",
        "notes": "IT daily (디지털타임스). Related links under the top story, unlabelled headline lists "
        "(ul.link_list, ul.hot_list), a four-tab box with three tabs hidden, an English-edition "
        "box (eng.dt.co.kr), a photo and a video item served under article_list.html ids.",
    },
    "betanews-net-home-2018": {
        "repo": JSCM[0],
        "path": "pagesource/betanews.net",
        "commit": JSCM[1],
        "url": "http://www.betanews.net/",
        "kind": "home",
        "captured": "2018-03-18",
        "notes": "IT/economy (베타뉴스). One article under several box codes (?main_box, ?main_hot1, ...); "
        "side column boxes; the most-read box is an iframe (no links in the page).",
    },
    "ddaily-co-kr-home-2018": {
        "repo": JSCM[0],
        "path": "pagesource/ddaily.co.kr",
        "commit": JSCM[1],
        "url": "http://www.ddaily.co.kr/",
        "kind": "home",
        "captured": "2018-03-19",
        "notes": "IT daily (디지털데일리), KPF newspaper CMS. Breaking-news ticker inside the header; "
        "cut titles ('…') next to full ones; related links under every top-news item; a hidden "
        "video tab; the same article under /news/ and /cloud/news/; a 공지사항 box of 社告.",
    },
    "asiatoday-co-kr-home-2018": {
        "repo": JSCM[0],
        "path": "pagesource/asiatoday.co.kr",
        "commit": JSCM[1],
        "url": "http://www.asiatoday.co.kr/",
        "kind": "home",
        "captured": "2018-03-23",
        "notes": "National daily (아시아투데이). Related links under the top story, headline lists of <dd>, a "
        "two-tab most-read box (one tab hidden), video items with a malformed key ('key=?2018...'); "
        "the breaking-news ticker is filled by script from <span link=...> (no links in the markup).",
    },
    "pressian-com-home-2018": {
        "repo": JSCM[0],
        "path": "pagesource/pressian.com",
        "commit": JSCM[1],
        "url": "http://www.pressian.com/",
        "kind": "home",
        "captured": "2018-03-17",
        "notes": "National online daily (프레시안), KPF newspaper CMS. Cards where the author's name, the "
        "series name and the headline are three links to one article; unlabelled lists of <div>s; "
        "hashtag boxes of two headlines each; an 알립니다 box of the paper's notices.",
    },
    "gamemeca-com-home-2018": {
        "repo": JSCM[0],
        "path": "pagesource/gamemeca.com",
        "commit": JSCM[1],
        "url": "http://www.gamemeca.com/",
        "kind": "home",
        "captured": "2018-03-16",
        "notes": "Game news (게임메카). Headline thumbnails whose links carry no text (titles only in data-title "
        "of the wrapper), a hidden 메카 리포트 tab linking to trees.gamemeca.com and fifa3.gamemeca.com "
        "reports, video items under game.php?...&gid=, a user board (팸) and events that do not count, "
        "a partner-logo strip linking to other sites' articles that does not count. The local copy "
        "ends before the last 4,200 characters of footer.",
    },
    "kukinews-com-home-2018": {
        "repo": JSCM[0],
        "path": "pagesource/kukinews.com",
        "commit": JSCM[1],
        "url": "http://www.kukinews.com/",
        "kind": "home",
        "captured": "2018-03-19",
        "notes": "National online daily (쿠키뉴스), amicms. Repeated boxes of one class (m01_hdl7) with two "
        "related links under each story, unlabelled boxes whose headings are images linking to "
        "series pages (review_list_all: not counted), a photo strip of thumbnail-only links, "
        "banner_click.php banners. Debug dumps in comments and script bodies elided in the copy.",
    },
    "boannews-com-home-2018": {
        "repo": JSCM[0],
        "path": "pagesource/boannews.com",
        "commit": JSCM[1],
        "url": "http://www.boannews.com/",
        "kind": "home",
        "captured": "2018-03-21",
        "notes": "Security trade daily (보안뉴스), classic ASP. One article under several box parameters "
        "(&mkind=&kind=, &skind=, &kind=14); cut titles ('..', '...') next to full ones; a weekly "
        "most-read list and a three-tab ranking box (two tabs hidden by script); card-news and "
        "photo boxes of thumbnail-only links repeated per tab; a 인사·부고 box (counted: items are "
        "articles); white papers (security_contents) and a poll that do not count.",
    },
    "agrinet-co-kr-home-2018": {
        "repo": JSCM[0],
        "path": "pagesource/agrinet.co.kr",
        "commit": JSCM[1],
        "url": "http://www.agrinet.co.kr/",
        "kind": "home",
        "captured": "2018-03-18",
        "notes": "Farm weekly (한국농어민신문), ndsoft CMS of 2018 (articleView.html?idxno=). A hidden rolling "
        "slider (display:none items), cards where the image, the headline and the lede are three links "
        "to one article, section labels linking to list pages, a two-column unlabelled headline list, "
        "a 인기뉴스 most-read box and column boxes in the side column; a large hidden all-menu of "
        "section links. The last 494 characters (script end) were not read.",
    },
    "appstory-co-kr-home-2018": {
        "repo": JSCM[0],
        "path": "pagesource/appstory.co.kr",
        "commit": JSCM[1],
        "url": "http://www.appstory.co.kr/",
        "kind": "home",
        "captured": "2018-03-19",
        "notes": "IT magazine and community portal (앱스토리). The magazine's articles live on "
        "monthly.appstory.co.kr/<section><id> in a six-tab box (five tabs hidden) and a best-content "
        "ranking; the rest is community: a five-slide board carousel (product reviews by supporters, "
        "news digests, gossip, humour, free talk), developer app reviews, app-store rankings, shop "
        "and event boxes. Only the magazine's articles count (community boards are user or digest "
        "posts, not the outlet's articles). Image URLs of app-store and board thumbnails shortened; "
        "the last 12,142 characters (scripts) were not read.",
    },
    "venturesquare-net-home-2018": {
        "repo": JSCM[0],
        "path": "pagesource/venturesquare.net",
        "commit": JSCM[1],
        "url": "http://www.venturesquare.net/",
        "kind": "home",
        "captured": "2018-03-19",
        "notes": "Startup news site (벤처스퀘어), WordPress (SmartMag theme). A featured grid, a two-column "
        "block of highlights and the blog's paged post stream (page/2 … page/1091) on one home page; "
        "category labels and author links beside every item; the side column holds only ads and a "
        "social widget. img srcset attributes left out; the last 15,550 characters (scripts) were "
        "not read.",
    },
    "inews24-com-home-2018": {
        "repo": JSCM[0],
        "path": "pagesource/inews24.com",
        "commit": JSCM[1],
        "url": "http://www.inews24.com/",
        "kind": "home",
        "captured": "2018-03-17",
        "notes": "IT and entertainment daily (아이뉴스24), table layout. A three-story top box with two "
        "hidden stories, each with related links; a four-panel rotating box (three panels hidden by "
        "display:none) of photo items and headline lists; one article under several g_menu codes "
        "and under premium.inews24.com; a six-tab most-read box (five tabs hidden); 인사·부음 items "
        "(counted); a 공지사항 box with 社告 (not counted); a TV item; conference special pages (not "
        "articles). The footer and scripts in the last 21,772 characters were not read.",
    },
    "100ssd-co-kr-home-2018": {
        "repo": JSCM[0],
        "path": "pagesource/100ssd.co.kr",
        "commit": JSCM[1],
        "url": "http://www.100ssd.co.kr/",
        "kind": "home",
        "captured": "2018-03-19",
        "notes": "Weekly for senior citizens (백세시대), ndsoft CMS of late 2017 ('auto-' box skins). A hidden "
        "off-canvas menu and a hidden sub-menu of section links; a vertical ticker of dis-none items; "
        "sliders whose items are all in the markup (dis-none until the script runs); section boxes "
        "with a lead item and headline lists; series boxes headed by links to the series list; a "
        "most-read box; region labels linking to the article. The last 11,632 characters (scripts) "
        "were not read.",
    },
    "gangjin-go-kr-board-2025": {
        "repo": KNK,
        "path": "backupscrapers/debug/gangjin_page.html",
        "commit": "c90271e3a59a8d8c327275907e110e65bb6c55a8",
        "url": "https://www.gangjin.go.kr/www/government/news/press",
        "kind": "board",
        "captured": "2025-12-10",
        "notes": "County office press-release board (강진군청 보도자료), first page. A page of ~900 links of "
        "which 15 are the list: each item's single link wraps title, subtitle and a long lead "
        "(link text over 300 characters); paging below. Saved by a playwright scraper.",
    },
    "gb-go-kr-board-2026": {
        "repo": KNK,
        "path": "scrapers/_disabled/gyeongbuk/page.html",
        "commit": "219ea59136e61acc3a4df8f8942e6e553cdc3dd7",
        "url": "https://www.gb.go.kr/Main/page.do?mnu_uid=6792&BD_CODE=bbs_bodo&cmd=1",
        "kind": "board",
        "captured": "2026-01-07",
        "notes": "Provincial government press-release board (경상북도 보도자료), first page, an in-house board "
        "(page.do?…&BD_CODE=bbs_bodo&cmd=2&B_NUM=… opens a post): ten items, each with a thumbnail "
        "link and a title link carrying the same view parameters; a mega-menu of ~600 links above, "
        "breadcrumb, paging (Start=10…) and footer. Saved by a scraper project.",
    },
    "jindo-go-kr-board-2025": {
        "repo": KNK,
        "path": "debug_jindo.html",
        "commit": "e6d2489ec75d699b5e6647f72801fd56971ac27d",
        "url": "https://www.jindo.go.kr/home/sub.cs?m=626",
        "kind": "board",
        "captured": "2025-12-09",
        "notes": "County office news board (진도군청 군정소식), first page: a thumbnail list of five items whose "
        "links carry the view parameters (act=read&articleId=…&pageIndex=1…); a quick-menu popup in the "
        "header lists other boards' notices (not counted on a list page); paging below.",
    },
    "yna-co-kr-list-2025": {
        "repo": "young146/daily-news-gravity",
        "path": "yonhap.html",
        "commit": "1e36685da4d2e57affe5957a67b1141f545b67dd",
        "url": "https://www.yna.co.kr/international/asia-australia",
        "kind": "list",
        "captured": "2025-12-01",
        "notes": "Section list of the national news agency (연합뉴스 세계 > 아시아/호주): 25 items with image and "
        "title links to /view/AKR…?section=…, paging in a custom element; side boxes of other sections "
        "(most-read, hot news, photo slides) do not count on a list page.",
    },
    "btp-or-kr-board-2025": {
        "repo": BIZ,
        "path": "btp_list.html",
        "commit": "faefc634b9c105981849ecb527ba123ff1cf111d",
        "url": "https://www.btp.or.kr/kor/CMS/Board/Board.do?mCode=MN013",
        "kind": "board",
        "captured": "2025-04-24",
        "notes": "Regional technopark's business-announcement board (부산테크노파크 사업공고), first page, an in-house "
        "JSP CMS (Board.do?mCode=…&mode=view&mgr_seq=…&board_seq=…): a table of ten posts (one pinned without a "
        "number) whose links carry title and period; a left menu of sibling boards, paging (?robot=Y&page=…), "
        "a footer of ~40 partner-site links.",
    },
    "jbba-kr-board-2025": {
        "repo": BIZ,
        "path": "jbba_page.html",
        "commit": "faefc634b9c105981849ecb527ba123ff1cf111d",
        "url": "https://www.jbba.kr/bbs/board.php?bo_table=sub01_09",
        "kind": "board",
        "captured": "2025-04-24",
        "notes": "Provincial economic agency's support-programme board (전북특별자치도경제통상진흥원 지원사업 공고), "
        "Gnuboard (board.php?bo_table=…&wr_id=…, links written with an explicit :443 port): twenty posts in "
        "form#fboardlist, a hidden all-menu of javascript: links, paging, a footer of county-office links.",
    },
    "at-or-kr-board-2025": {
        "repo": BTP,
        "path": "atcenter_debug.html",
        "commit": "359b448a40571f0c43b6c3fefaf7c3af9feb6e50",
        "url": "https://www.at.or.kr/article/apko364000/list.action",
        "kind": "board",
        "captured": "2025-06-20",
        "notes": "Public corporation's notice board (한국농수산식품유통공사 공지사항), a Struts-style CMS "
        "(list.action / view.action?articleId=…, relative links): ten posts, each row with an attachment "
        "download link (download.action?attachId=…: a file, not a post); a mega-menu of ~190 links, paging "
        "(at.condition.currentPage=…), footer.",
    },
    "cepa-or-kr-board-2025": {
        "repo": BTP,
        "path": "cepa_test.html",
        "commit": "db0ebd622ace46edfbcf7fb6d6008aec9db82191",
        "url": "https://www.cepa.or.kr/notice/notice.do?pm=6&ms=32",
        "kind": "board",
        "captured": "2025-06-08",
        "notes": "Provincial economic agency's notice board (충남경제진흥원 공지사항), a .do board "
        "(board/boardDetail.do?pm=…&ms=…&seq=…): ten posts, one of which links to a sister agency's "
        "announcement (cnsp.or.kr/project/view.do?seq=…), titles cut with '....'; a sitemap modal and a side "
        "menu of section links, paging (pn=…), a partner-logo carousel.",
    },
    "gdc-or-kr-board-2025": {
        "repo": BTP,
        "path": "gdc_page1.html",
        "commit": "359b448a40571f0c43b6c3fefaf7c3af9feb6e50",
        "url": "https://www.gdc.or.kr/board.do?S=S01&M=0401000000&b_code=0001",
        "kind": "board",
        "captured": "2025-06-20",
        "notes": "Gwangju design agency's notice board (광주디자인진흥원 공지사항), board.do?…&mod=view&list_no=…: "
        "eleven pinned notices (tr.notice_tr) above ten numbered posts, titles cut with '..'; three menus of "
        "~370 contents.do links in all (gnb, all-menu layer, mobile menu), category tabs, paging, quick links.",
    },
    "jbf-kr-board-2025": {
        "repo": BTP,
        "path": "jbf_test.html",
        "commit": "db0ebd622ace46edfbcf7fb6d6008aec9db82191",
        "url": "http://www.jbf.kr/main/board.action?cmsid=101050200000",
        "kind": "board",
        "captured": "2025-06-08",
        "notes": "Provincial bio-industry agency's business-announcement board (전남바이오진흥원 사업공고), "
        "board.action?cmsid=…&method=v&idx=… with the list parameters carried along: ten posts, all titles cut "
        "with '...'; a gnb, a left menu of sibling boards, page-size links, paging (method=l).",
    },
    "kimst-re-kr-board-2025": {
        "repo": BTP,
        "path": "kimst_debug.html",
        "commit": "359b448a40571f0c43b6c3fefaf7c3af9feb6e50",
        "url": "https://www.kimst.re.kr/u/news/inform_01/pjtAnuc.do",
        "kind": "board",
        "captured": "2025-06-20",
        "notes": "Marine-science funding agency's R&D announcement list (해양수산과학기술진흥원 사업공고): ten posts "
        "whose links go to the national R&D portal (www.iris.go.kr/contents/retrieveBsnsAncmView.do?ancmId=…), "
        "another host than the page; menus with ;jsessionid= in every link, paging links that all point to "
        "the list address (paged by script), footer site links.",
    },
    "platum-kr-home-2018": {
        "repo": JSCM[0],
        "path": "pagesource/platum.kr",
        "commit": JSCM[1],
        "url": "http://platum.kr/",
        "kind": "home",
        "captured": "2018-03-18",
        "notes": "Startup news site (플래텀), WordPress (GrandNews theme). A one-line 'Trending' ticker of 15 "
        "items, a featured grid whose lead is a div with onclick location.href plus date and title "
        "links, a 'Latest news' list with a load-more button (ajax), and six carousels (flexslider) "
        "whose items are all in the markup; ads in the side column, tweets and share links in the "
        "footer.",
    },
}

SPECS: dict[str, Spec] = {
    "etnews-com-home-2018": Spec(
        base="http://www.etnews.com/",
        articles=[
            (r"etnews\.com/(?:news/article\.html\?id=)?(\d{14})(?:$|[?&])", "https://www.etnews.com/{key}"),
            (r"rpm9\.com/news/article\.html\?id=(\d+)", "https://www.rpm9.com/news/article.html?id={key}"),
            (
                r"nextdaily\.co\.kr/news/article\.html\?id=(\d+)",
                "https://www.nextdaily.co.kr/news/article.html?id={key}",
            ),
            (r"etnews\.com/news/(issue_analysis\.html\?id=\d+)", "https://www.etnews.com/news/{key}"),
            (r"etnews\.com/(photo/photo_view\.html\?id=\d+)", "https://www.etnews.com/{key}"),
            (
                r"post\.naver\.com/viewer/postView\.nhn\?volumeNo=(\d+)",
                "https://post.naver.com/viewer/postView.nhn?volumeNo={key}&memberNo=19850389",
            ),
        ],
        unwrap="url",
    ),
    "dt-co-kr-home-2018": Spec(
        base="http://www.dt.co.kr/",
        articles=[
            (
                r"//www\.dt\.co\.kr/contents\.html\?article_no=(\d+)",
                "https://www.dt.co.kr/contents.html?article_no={key}",
            ),
            (
                r"//eng\.dt\.co\.kr/contents\.html\?article_no=(\d+)",
                "https://eng.dt.co.kr/contents.html?article_no={key}",
            ),
            (
                r"article_list\.html\?gcd=2&scd=25&vid_id=(\d+)",
                "https://www.dt.co.kr/article_list.html?gcd=2&scd=25&vid_id={key}",
            ),
            (
                r"article_list\.html\?gcd=3&scd=300&ig=(\d+)&article_d=20180323",
                "https://www.dt.co.kr/article_list.html?gcd=3&scd=300&ig={key}&article_d=20180323",
            ),
        ],
    ),
    "betanews-net-home-2018": Spec(
        base="http://www.betanews.net/",
        articles=[(r"betanews\.net/article/(\d+)", "https://www.betanews.net/article/{key}")],
    ),
    "ddaily-co-kr-home-2018": Spec(
        base="http://www.ddaily.co.kr/",
        articles=[
            (
                r"ddaily\.co\.kr/(?:cloud/)?news/article\.html\?no=(\d+)",
                "https://www.ddaily.co.kr/news/article.html?no={key}",
            )
        ],
        # The 공지사항 box: the paper's own notices (社告, events, its new-year address, its staff obituary).
        drop=["166376", "165550", "164223", "160905", "160347", "160044", "159463", "157594", "156693", "156141"],
    ),
    "asiatoday-co-kr-home-2018": Spec(
        base="http://www.asiatoday.co.kr/",
        articles=[(r"asiatoday\.co\.kr/view\.php\?key=(\??\d+)", "https://www.asiatoday.co.kr/view.php?key={key}")],
        drop=["20170302010001074"],  # the paper's own notice pinned at the top of a headline list
    ),
    "pressian-com-home-2018": Spec(
        base="http://www.pressian.com/",
        articles=[
            (r"pressian\.com/news/article\.html\?no=(\d+)", "https://www.pressian.com/news/article.html?no={key}")
        ],
        # 알립니다: the paper's own notices; 144736: a series banner whose text is the series name.
        drop=["183055", "174156", "175229", "144736"],
    ),
    "gamemeca-com-home-2018": Spec(
        base="http://www.gamemeca.com/",
        articles=[
            (r"gamemeca\.com/view\.php\?gid=(\d+)", "https://www.gamemeca.com/view.php?gid={key}"),
            (
                r"gamemeca\.com/game\.php\?rts=gmview&(gmid=\w+&tab=movie&gid=\d+)",
                "https://www.gamemeca.com/game.php?rts=gmview&{key}",
            ),
            (r"trees\.gamemeca\.com/(mecareport-[\w-]+)/", "https://trees.gamemeca.com/{key}/"),
            (r"fifa3\.gamemeca\.com/mecareport\.php\?gid=(\d+)", "https://fifa3.gamemeca.com/mecareport.php?gid={key}"),
        ],
    ),
    "kukinews-com-home-2018": Spec(
        base="http://www.kukinews.com/",
        articles=[
            (r"kukinews\.com/news/article\.html\?no=(\d+)", "https://www.kukinews.com/news/article.html?no={key}")
        ],
    ),
    "boannews-com-home-2018": Spec(
        base="http://www.boannews.com/",
        articles=[(r"boannews\.com/media/view\.asp\?idx=(\d+)", "https://www.boannews.com/media/view.asp?idx={key}")],
    ),
    "agrinet-co-kr-home-2018": Spec(
        base="http://www.agrinet.co.kr/",
        articles=[
            (
                r"agrinet\.co\.kr/news/articleView\.html\?idxno=(\d+)",
                "https://www.agrinet.co.kr/news/articleView.html?idxno={key}",
            )
        ],
    ),
    "appstory-co-kr-home-2018": Spec(
        base="http://www.appstory.co.kr/",
        articles=[(r"monthly\.appstory\.co\.kr/([a-z]+\d+)$", "https://monthly.appstory.co.kr/{key}")],
    ),
    "venturesquare-net-home-2018": Spec(
        base="http://www.venturesquare.net/",
        articles=[(r"venturesquare\.net/(\d+)$", "https://www.venturesquare.net/{key}")],
    ),
    "inews24-com-home-2018": Spec(
        base="http://www.inews24.com/",
        articles=[
            (r"inews24\.com/php/news_view\.php\?(?:.*&)?g_serial=(\d+)", "https://www.inews24.com/view/{key}"),
            (r"tv\.inews24\.com/tv/(?:index\.php)?\?g_serial=(tv:[\w-]+)", "http://tv.inews24.com/tv/?g_serial={key}"),
        ],
    ),
    "100ssd-co-kr-home-2018": Spec(
        base="http://www.100ssd.co.kr/",
        articles=[
            (
                r"100ssd\.co\.kr/news/articleView\.html\?idxno=(\d+)",
                "https://www.100ssd.co.kr/news/articleView.html?idxno={key}",
            )
        ],
    ),
    "gangjin-go-kr-board-2025": Spec(
        base="https://www.gangjin.go.kr/www/government/news/press",
        articles=[
            (
                r"gangjin\.go\.kr/www/government/news/press\?idx=(\d+)&mode=view",
                "https://www.gangjin.go.kr/www/government/news/press?idx={key}&mode=view",
            )
        ],
        scope="ul#news",
    ),
    "gb-go-kr-board-2026": Spec(
        base="https://www.gb.go.kr/Main/page.do?mnu_uid=6792&BD_CODE=bbs_bodo&cmd=1",
        articles=[
            (
                r"gb\.go\.kr/Main/page\.do\?.*BD_CODE=bbs_bodo&.*cmd=2&.*B_NUM=(\d+)",
                "https://www.gb.go.kr/Main/page.do?mnu_uid=6792&BD_CODE=bbs_bodo&cmd=2&B_NUM={key}",
            )
        ],
        scope="ul.report_list",
    ),
    "jindo-go-kr-board-2025": Spec(
        base="https://www.jindo.go.kr/home/sub.cs?m=626",
        articles=[
            (
                r"jindo\.go\.kr/home/sub\.cs\?act=read&articleId=(\d+)",
                "https://www.jindo.go.kr/home/sub.cs?act=read&articleId={key}&m=626",
            )
        ],
        scope="ul.news_list",
    ),
    "yna-co-kr-list-2025": Spec(
        base="https://www.yna.co.kr/international/asia-australia",
        articles=[(r"yna\.co\.kr/view/(AKR\d+)", "https://www.yna.co.kr/view/{key}")],
        scope="section.box-latest01",
    ),
    "btp-or-kr-board-2025": Spec(
        base="https://www.btp.or.kr/kor/CMS/Board/Board.do?mCode=MN013",
        articles=[
            (
                r"btp\.or\.kr/kor/CMS/Board/Board\.do\?mCode=MN013&mode=view&mgr_seq=16&board_seq=(\d+)",
                "https://www.btp.or.kr/kor/CMS/Board/Board.do?mCode=MN013&mode=view&mgr_seq=16&board_seq={key}",
            )
        ],
        scope="table.bdListTbl",
    ),
    "jbba-kr-board-2025": Spec(
        base="https://www.jbba.kr/bbs/board.php?bo_table=sub01_09",
        articles=[
            (
                r"jbba\.kr(?::443)?/bbs/board\.php\?bo_table=sub01_09&wr_id=(\d+)",
                "https://www.jbba.kr/bbs/board.php?bo_table=sub01_09&wr_id={key}",
            )
        ],
        scope="form#fboardlist",
    ),
    "at-or-kr-board-2025": Spec(
        base="https://www.at.or.kr/article/apko364000/list.action",
        articles=[
            (
                r"at\.or\.kr/article/apko364000/view\.action\?articleId=(\d+)",
                "https://www.at.or.kr/article/apko364000/view.action?articleId={key}",
            )
        ],
        scope="div.tbl_comn.type_list",
    ),
    "cepa-or-kr-board-2025": Spec(
        base="https://www.cepa.or.kr/notice/notice.do?pm=6&ms=32",
        articles=[
            (
                r"cepa\.or\.kr/board/boardDetail\.do\?pm=6&ms=32&seq=(\d+)",
                "https://www.cepa.or.kr/board/boardDetail.do?pm=6&ms=32&seq={key}",
            ),
            (r"cnsp\.or\.kr/(project/view\.do\?seq=\d+)", "https://www.cnsp.or.kr/{key}"),
        ],
        scope="table.table-hover",
    ),
    "gdc-or-kr-board-2025": Spec(
        base="https://www.gdc.or.kr/board.do?S=S01&M=0401000000&b_code=0001",
        articles=[
            (
                r"gdc\.or\.kr/board\.do\?S=S01&M=0401000000&b_code=0001&mod=view&list_no=(\d+)",
                "https://www.gdc.or.kr/board.do?S=S01&M=0401000000&b_code=0001&mod=view&list_no={key}",
            )
        ],
        scope="table.bo_table",
    ),
    "jbf-kr-board-2025": Spec(
        base="http://www.jbf.kr/main/board.action?cmsid=101050200000",
        articles=[
            (
                r"jbf\.kr/main/board\.action\?cmsid=101050200000&.*method=v&idx=(\d+)",
                "http://www.jbf.kr/main/board.action?cmsid=101050200000&method=v&idx={key}",
            )
        ],
        scope="table.basic_table",
    ),
    "kimst-re-kr-board-2025": Spec(
        base="https://www.kimst.re.kr/u/news/inform_01/pjtAnuc.do",
        articles=[
            (
                r"iris\.go\.kr/contents/retrieveBsnsAncmView\.do\?ancmId=(\d+)",
                "https://www.iris.go.kr/contents/retrieveBsnsAncmView.do?ancmId={key}&ancmPrg=ancmEnd",
            )
        ],
        scope="table.table-list",
    ),
    "platum-kr-home-2018": Spec(
        base="http://platum.kr/",
        articles=[(r"platum\.kr/archives/(\d+)$", "https://platum.kr/archives/{key}")],
    ),
}


def build() -> int:
    entries: dict[str, dict[str, Any]] = {}
    if MANIFEST.is_file():
        entries = {e["id"]: e for e in json.loads(MANIFEST.read_text(encoding="utf-8"))["pages"]}
    for page_id, meta in PAGES.items():
        local = LOCAL / f"{page_id}.html"
        if not local.is_file():
            print(f"{page_id}: not present locally, manifest entry kept", file=sys.stderr)
            continue
        expected = sorted(label(local.read_text(encoding="utf-8"), SPECS[page_id]), key=lambda e: str(e["url"]))
        samples = [{"url": e["url"], "title": e["title"]} for e in expected[:: max(1, len(expected) // 3)][:3]]
        entries[page_id] = {
            "id": page_id,
            **meta,
            "split": split_of(page_id),
            "raw_url": f"https://raw.githubusercontent.com/{meta['repo']}/{meta['commit']}/{meta['path']}",
            "labelled_copy": {
                "sha256": hashlib.sha256(local.read_bytes()).hexdigest(),
                "kind": "transcription" if meta["repo"] == JSCM[0] else "verbatim",
            },
            "expected_count": len(expected),
            "samples": samples,
            # titles only for the few samples: headlines are third-party text
            "expected": [
                {
                    "url": e["url"],
                    "aliases": e["aliases"],
                    "title_chars": len(str(e["title"])),
                    "title_whole": e["title_whole"],  # the page gives a text not cut with '…'
                }
                for e in expected
            ],
        }
        print(f"{page_id}: {len(expected)} expected ({split_of(page_id)})")
    MANIFEST.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "about": (
            "Labelled listing pages for `python -m evaluation.listing`; counting rule in README.md beside this file."
        ),
        "pages": [entries[k] for k in sorted(entries)],
    }
    MANIFEST.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(build())
