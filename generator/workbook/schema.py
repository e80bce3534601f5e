"""The layout of the clerks' workbook: sheets, columns, fields, and their guidance."""

from __future__ import annotations

from dataclasses import dataclass

from generator.text import vn

# Value kinds a cell may hold; the reader converts and the checker validates by kind.
TEXT = "text"  # one line of text
MULTILINE = "multiline"  # text where Alt+Enter line breaks are meaningful
INT = "int"
YEAR = "year"
DATE = "date"
CHOICE = "choice"
BOOL = "bool"  # "Có" / "Không"

SIGNING_PREFIXES: tuple[str, ...] = ("", *vn.SIGNING_PREFIXES)  # blank: the head signs
AGENCY_KINDS: tuple[str, ...] = ("sở-ban-ngành", "cấp huyện", "cấp xã", "khác")
YES, NO = "Có", "Không"
# Offered in the drop-down of "Tên kỳ"; other names stay allowed.
PERIOD_NAMES: tuple[str, ...] = ("quý I", "quý II", "6 tháng", "quý III", "9 tháng", "quý IV", "năm")


@dataclass(frozen=True)
class Column:
    """One column of a table sheet (row 1 holds the header)."""

    key: str
    header: str
    kind: str = TEXT
    required: bool = False
    width: int = 20
    help: str = ""
    choices: tuple[str, ...] = ()
    optional: bool = False  # a workbook may lack the whole column (added after older workbooks)
    suggestions: tuple[str, ...] = ()  # a drop-down that helps typing but accepts other text


@dataclass(frozen=True)
class Field:
    """One row of a key/value sheet: label in column A, value in column B."""

    key: str
    label: str
    kind: str = TEXT
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()
    optional: bool = False  # a workbook may lack the whole row (added after older workbooks)


@dataclass(frozen=True)
class TableSheet:
    key: str
    name: str
    columns: tuple[Column, ...]
    help: str

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    def letter(self, key: str) -> str:
        """Excel column letter of a column key (A, B, …)."""
        index = [c.key for c in self.columns].index(key)
        return _letter(index)


@dataclass(frozen=True)
class FieldSheet:
    key: str
    name: str
    fields: tuple[Field, ...]
    help: str
    label_header: str = "Mục"
    value_header: str = "Giá trị"
    help_header: str = "Hướng dẫn"

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)


def _letter(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


_SIGNER_HELP = (
    "Để trống khi người đứng đầu ký; TM. (thay mặt tập thể), KT. (ký thay), Q. (quyền), "
    "TL. (thừa lệnh), TUQ. (thừa ủy quyền)."
)

_REPORT_SIGNER_HELP = (
    "Chữ ký của báo cáo tổng hợp và công văn đôn đốc (vanban collect); để trống cả bốn dòng "
    "thì dùng chữ ký của Quyết định."
)

_AGENCIES_HELP = (
    "Tên cơ quan (hoặc tên gọi khác) trong sheet Cơ quan, hoặc cụm chỉ nhóm như Các sở, ban, "
    "ngành; UBND cấp huyện; UBND cấp xã. Nhiều cơ quan cách nhau bởi dấu ; hoặc dấu phẩy."
)

GENERAL = FieldSheet(
    key="general",
    name="Thông tin chung",
    help="Thông tin của Quyết định và Kế hoạch: mỗi dòng một mục, ghi giá trị vào cột B.",
    fields=(
        Field("issuer_parent", "Cơ quan chủ quản",
              help="Tên cơ quan chủ quản trực tiếp (dòng trên tên cơ quan ban hành). "
                   "Để trống nếu không có, như UBND tỉnh."),
        Field("issuer", "Cơ quan ban hành", MULTILINE, required=True,
              help="Tên cơ quan ban hành, chữ in hoa; xuống dòng (Alt+Enter) ở chỗ muốn ngắt, "
                   "ví dụ: ỦY BAN NHÂN DÂN ↵ TỈNH BÌNH PHƯỚC."),
        Field("place", "Địa danh", required=True,
              help="Địa danh ghi trước ngày tháng, ví dụ: Bình Phước."),
        Field("year", "Năm kế hoạch", YEAR, required=True, help="Năm của kế hoạch, ví dụ: 2018."),
        Field("number", "Số văn bản", INT,
              help="Số của Quyết định. Để trống khi chưa đăng ký: "
                   "văn bản để trống số cho văn thư."),
        Field("symbol", "Ký hiệu văn bản", required=True,
              help="Ký hiệu sau dấu /, ví dụ: QĐ-UBND (không có dấu cách)."),
        Field("issue_date", "Ngày ban hành", DATE,
              help="Ngày ký, dạng dd/mm/yyyy. Để trống khi chưa ký."),
        Field("summary", "Trích yếu", required=True,
              help="Trích yếu nội dung của Quyết định, viết hoa chữ cái đầu."),
        Field("authority", "Thẩm quyền ban hành", required=True,
              help="Dòng thẩm quyền dưới trích yếu, ví dụ: CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH."),
        Field("proposal", "Đề nghị",
              help="Dòng “Xét đề nghị …” sau các căn cứ (không ghi dấu câu cuối dòng)."),
        Field("signer_prefix", "Quyền hạn ký", CHOICE, choices=SIGNING_PREFIXES,
              help=_SIGNER_HELP),
        Field("signer_on_behalf", "Ký thay mặt cho",
              help="Sau TM./KT./Q./TL./TUQ.: tập thể hoặc người đứng đầu, ví dụ: ỦY BAN NHÂN DÂN."),
        Field("signer_title", "Chức vụ người ký", required=True, help="Ví dụ: CHỦ TỊCH."),
        Field("signer_name", "Họ tên người ký", required=True, help="Không ghi học hàm, học vị."),
        Field("archive_unit", "Đơn vị lưu",
              help="Đơn vị soạn thảo lưu bản chính, ghi sau “Lưu: VT,”. Có thể để trống."),
        Field("drafter", "Ký hiệu người soạn thảo", help="Ví dụ: T96."),
        Field("copies", "Số lượng bản phát hành", INT,
              help="In sau ký hiệu người soạn thảo theo Nghị định 30, ví dụ 40 thành "
                   "“T96.40”. Có thể để trống."),
        Field("plan_title", "Tên kế hoạch", required=True,
              help="Dòng dưới chữ KẾ HOẠCH, ví dụ: Cải cách hành chính Nhà nước năm 2018 "
                   "trên địa bàn tỉnh Bình Phước."),
        Field("issued_by", "Cấp ban hành (trong câu)", required=True,
              help="Dùng trong dòng “(Ban hành kèm theo Quyết định số … của …)”, "
                   "ví dụ: Chủ tịch UBND tỉnh Bình Phước."),
        Field("plan_signer_prefix", "Kế hoạch: quyền hạn ký", CHOICE, choices=SIGNING_PREFIXES,
              help=_SIGNER_HELP),
        Field("plan_signer_on_behalf", "Kế hoạch: ký thay mặt cho",
              help="Như “Ký thay mặt cho”, cho chữ ký của Kế hoạch."),
        Field("plan_signer_title", "Kế hoạch: chức vụ người ký", required=True,
              help="Chức vụ người ký Kế hoạch, ví dụ: CHỦ TỊCH."),
        Field("plan_signer_name", "Kế hoạch: họ tên người ký", required=True,
              help="Họ tên người ký Kế hoạch; không ghi học hàm, học vị."),
        Field("appendix_title", "Tên phụ lục", required=True,
              help="Tên bảng nhiệm vụ kèm theo kế hoạch."),
        Field("report_to", "Báo cáo gửi về",
              help="Nơi nhận các báo cáo định kỳ, ví dụ: UBND tỉnh (qua Sở Nội vụ)."),
        Field("report_addressee", "Kính gửi (báo cáo)",
              help="Dòng “Kính gửi” của các báo cáo, ví dụ: Ủy ban nhân dân tỉnh Bình Phước."),
        Field("archive_copies", "Số bản lưu", INT, optional=True,
              help="Số bản đơn vị soạn thảo lưu, in sau đơn vị lưu, ví dụ 2 thành "
                   "“Lưu: VT, NC (02b)”. Có thể để trống."),
        Field("report_signer_prefix", "Báo cáo tổng hợp: quyền hạn ký", CHOICE, choices=SIGNING_PREFIXES,
              optional=True, help=_SIGNER_HELP + " " + _REPORT_SIGNER_HELP),
        Field("report_signer_on_behalf", "Báo cáo tổng hợp: ký thay mặt cho", optional=True,
              help="Như “Ký thay mặt cho”, ví dụ: ỦY BAN NHÂN DÂN (TM.) hoặc CHỦ TỊCH (KT.)."),
        Field("report_signer_title", "Báo cáo tổng hợp: chức vụ người ký", optional=True,
              help="Ví dụ: PHÓ CHỦ TỊCH. " + _REPORT_SIGNER_HELP),
        Field("report_signer_name", "Báo cáo tổng hợp: họ tên người ký", optional=True,
              help="Không ghi học hàm, học vị. " + _REPORT_SIGNER_HELP),
    ),
)

BASES = TableSheet(
    key="bases",
    name="Căn cứ",
    help="Mỗi dòng một căn cứ pháp lý, theo thứ tự xuất hiện; không ghi dấu ; hoặc . cuối dòng.",
    columns=(
        Column("text", "Căn cứ", MULTILINE, required=True, width=110,
               help="Ví dụ: Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015 "
                    "(không ghi dấu ; cuối dòng)."),
    ),
)

ARTICLES = TableSheet(
    key="articles",
    name="Điều",
    help="Mỗi dòng một Điều của Quyết định; số Điều do chương trình đánh.",
    columns=(
        Column("text", "Nội dung", MULTILINE, required=True, width=110,
               help="Nội dung Điều, không ghi chữ “Điều 1.”; "
                    "./. cuối văn bản do chương trình thêm."),
    ),
)

RECIPIENTS = TableSheet(
    key="recipients",
    name="Nơi nhận",
    help="Nơi nhận của Quyết định; dòng “Lưu: VT” do chương trình thêm.",
    columns=(
        Column("text", "Nơi nhận", required=True, width=60,
               help="Ví dụ: Như Điều 2 (không ghi dấu - đầu dòng và dấu ; cuối dòng)."),
        Column("copies", "Số bản", INT, width=10, help="Số bản gửi, nếu hơn một."),
    ),
)

OUTLINE = TableSheet(
    key="outline",
    name="Nội dung kế hoạch",
    help=(
        "Nội dung Kế hoạch theo dàn ý: Cấp 1 là phần (I, II…), Cấp 2 là mục (1, 2…), "
        "Cấp 3 là điểm (a, b…), Cấp 0 là đoạn văn không đánh số nối tiếp dòng trên. Dòng Cấp 1 "
        "không có Tiêu đề là đoạn văn không đánh số của cả phần, đứng sau các mục của phần (ví dụ "
        "đoạn kết của Kế hoạch): nó không thuộc mục đứng trước. Số thứ tự do chương trình đánh."
    ),
    columns=(
        Column("level", "Cấp", INT, required=True, width=8,
               help="0, 1, 2 hoặc 3 (Cấp 1 không có Tiêu đề: đoạn văn của cả phần)."),
        Column("heading", "Tiêu đề", TEXT, width=45,
               help="Tên phần hoặc mục, nếu có (ví dụ: MỤC ĐÍCH, YÊU CẦU)."),
        Column("text", "Nội dung", MULTILINE, width=100,
               help="Đoạn văn của phần, mục hoặc điểm, giữ dấu câu cuối đoạn; không ghi số "
                    "thứ tự (I., 1., a)) và không ghi ./. cuối đoạn cuối."),
    ),
)

TASKS = TableSheet(
    key="tasks",
    name="Nhiệm vụ",
    help="Bảng nhiệm vụ của phụ lục: mỗi dòng một nhiệm vụ; số thứ tự do chương trình đánh "
         "theo từng lĩnh vực, lĩnh vực theo thứ tự xuất hiện lần đầu.",
    columns=(
        Column("area", "Lĩnh vực", required=True, width=30,
               help="Tên lĩnh vực, ví dụ: Cải cách thể chế; các nhiệm vụ cùng lĩnh vực ghi "
                    "cùng một tên, không ghi số La Mã."),
        Column("text", "Nội dung nhiệm vụ", MULTILINE, required=True, width=70,
               help="Nội dung nhiệm vụ, không ghi số thứ tự."),
        Column("lead", "Cơ quan chủ trì", required=True, width=35, help=_AGENCIES_HELP),
        Column("support", "Cơ quan phối hợp", width=35, help=_AGENCIES_HELP),
        Column("deadline", "Thời gian hoàn thành", required=True, width=22,
               help="Ví dụ: Quý I/2018, Trong năm 2018, Thường xuyên trong năm."),
        Column("note", "Ghi chú", width=15, help="Ghi chú thêm, nếu có."),
    ),
)

AGENCIES = TableSheet(
    key="agencies",
    name="Cơ quan",
    help="Danh mục cơ quan, đơn vị: mỗi dòng một cơ quan.",
    columns=(
        Column("code", "Mã", required=True, width=12,
               help="Mã ngắn, không dấu, không trùng, ví dụ: SNV."),
        Column("name", "Tên đầy đủ", required=True, width=40, help="Ví dụ: Sở Nội vụ."),
        Column("kind", "Loại", CHOICE, required=True, width=15, choices=AGENCY_KINDS,
               help="sở-ban-ngành: cơ quan thuộc UBND tỉnh; cấp huyện: UBND huyện, thị xã, "
                    "thành phố (chỉ khi tỉnh còn cấp huyện); cấp xã: UBND xã, phường, đặc khu; "
                    "khác: đơn vị khác."),
        Column("parent", "Cơ quan chủ quản", width=28,
               help="Dòng trên tên cơ quan ở tiêu đề báo cáo, ví dụ: UBND tỉnh Bình Phước."),
        Column("head_title", "Chức danh người đứng đầu", width=18, help="Ví dụ: GIÁM ĐỐC."),
        Column("on_behalf", "Ký thay mặt (TM.)", width=20,
               help="Tập thể mà người đứng đầu ký thay mặt, ví dụ: ỦY BAN NHÂN DÂN."),
        Column("abbr", "Ký hiệu", width=12, help="Viết tắt trong ký hiệu văn bản, ví dụ: SNV."),
        Column("aliases", "Tên gọi khác", MULTILINE, width=45,
               help="Các cách viết khác của tên, cách nhau bởi dấu ; "
                    "ví dụ: VPUBND tỉnh; VP UBND tỉnh."),
        Column("reports", "Báo cáo", BOOL, width=10, choices=(YES, NO),
               help="Có: cơ quan phải gửi báo cáo định kỳ."),
        Column("place", "Địa danh", width=16, optional=True,
               help="Địa danh trước ngày tháng trong báo cáo của cơ quan, là tên đơn vị hành "
                    "chính nơi cơ quan đóng trụ sở, ví dụ: Lộc Ninh. Để trống khi như địa danh "
                    "ở sheet Thông tin chung."),
    ),
)

PERIODS = TableSheet(
    key="periods",
    name="Kỳ báo cáo",
    help="Các kỳ báo cáo định kỳ mà Kế hoạch quy định (tên kỳ, trích yếu, hạn gửi, kỳ số liệu); "
         "mỗi cơ quan có cột Báo cáo là Có nhận một mẫu báo cáo cho mỗi kỳ.",
    columns=(
        Column("code", "Mã kỳ", required=True, width=10, help="Không dấu, ví dụ: quy-1."),
        Column("name", "Tên kỳ", required=True, width=15, suggestions=PERIOD_NAMES,
               help="Ví dụ: quý I, 6 tháng, năm."),
        Column("summary", "Trích yếu báo cáo", required=True, width=70,
               help="Ví dụ: Kết quả thực hiện công tác cải cách hành chính quý I năm 2018."),
        Column("deadline", "Hạn gửi", DATE, required=True, width=14,
               help="Hạn gửi báo cáo, dạng dd/mm/yyyy, ví dụ: 05/03/2018."),
        Column("data_from", "Số liệu từ ngày", DATE, width=14,
               help="Ngày đầu của kỳ lấy số liệu, dạng dd/mm/yyyy, ví dụ: 15/12/2017."),
        Column("data_to", "Số liệu đến ngày", DATE, width=14,
               help="Ngày cuối của kỳ lấy số liệu, dạng dd/mm/yyyy, ví dụ: 14/03/2018."),
    ),
)

TARGETS = TableSheet(
    key="targets",
    name="Chỉ tiêu",
    help="Các chỉ tiêu định lượng của Kế hoạch; mỗi báo cáo liệt kê chỉ tiêu liên quan đến "
         "cơ quan báo cáo, kèm cột “Kết quả đạt được” để trống.",
    columns=(
        Column("text", "Chỉ tiêu", required=True, width=70,
               help="Ví dụ: Hồ sơ TTHC quá hạn giải quyết đều có văn bản xin lỗi."),
        Column("value", "Mức chỉ tiêu", required=True, width=14, help="Ví dụ: 100%."),
        Column("agencies", "Cơ quan thực hiện", required=True, width=40, help=_AGENCIES_HELP),
        Column("source", "Căn cứ trong kế hoạch", width=18, help="Ví dụ: II.2.e."),
    ),
)

TABLES: tuple[TableSheet, ...] = (
    BASES, ARTICLES, RECIPIENTS, OUTLINE, TASKS, AGENCIES, PERIODS, TARGETS,
)
SHEET_ORDER: tuple[str, ...] = (GENERAL.name,) + tuple(t.name for t in TABLES)

# Fields that hold a document symbol (QĐ-UBND): printed as typed, so checked character by character.
SYMBOL_FIELDS: frozenset[tuple[str, str]] = frozenset({("general", "symbol"), ("agencies", "abbr")})
