/* The single pass of generator/collect/reader.py over word/document.xml, in C.

   `blocks(xml, Cell, Row, Table)` returns the same list of blocks as reader._single_pass over
   lxml's tree, or None whenever it cannot promise that: XML that is not well-formed, namespace
   declarations anywhere but on the root element, names lxml would refuse or read otherwise,
   tracked or hidden content (w:ins, w:del, w:moveTo, w:moveFrom, mc:Fallback), and every shape
   the single pass itself declines. reader.py then reads the document with lxml as before, so a
   document this reader refuses is read (or refused, with lxml's message) exactly as without it.

   The pass (XMLCALL_start, XMLCALL_end, XMLCALL_text) is fed by one of two readers:
   - `scan`, a tokenizer for the part of XML Word and LibreOffice write (ASCII names, UTF-8 text,
     the predefined entities; no DTD, comments, CDATA, processing instructions, character
     references or CRs), which checks that part as XML 1.0 requires and says when a document is
     outside it;
   - expat, Python's own, through the capsule pyexpat exports for C modules (as _elementtree uses
     it): no library to link, nothing to install. It reads what the tokenizer does not, from the
     start. The parser is created without namespace processing (expat's fastest mode).
   The namespace rules lxml enforces are checked in the pass, on the names: every prefix used is
   declared on the root element, no prefix or URI twice. tests/test_collect_fast_reader.py and
   tests/test_collect_tokenizer.py hold both readers to the lxml reader on every shipped example,
   every edit the tests make, and thousands of random damages to a form. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stdint.h>
#include <string.h>

/* expat's types, as pyexpat.h's capsule uses them (declared here so that no expat.h is needed) */
typedef char XML_Char;
typedef char XML_LChar;
typedef struct XML_ParserStruct *XML_Parser;
enum XML_Status { XML_STATUS_ERROR = 0, XML_STATUS_OK = 1, XML_STATUS_SUSPENDED = 2 };
enum XML_Error { XML_ERROR_NONE = 0 };
typedef unsigned long XML_Size;
typedef struct {
    void *(*malloc_fcn)(size_t size);
    void *(*realloc_fcn)(void *ptr, size_t size);
    void (*free_fcn)(void *ptr);
} XML_Memory_Handling_Suite;
typedef struct XML_Encoding XML_Encoding;
typedef void (*XML_StartElementHandler)(void *, const XML_Char *, const XML_Char **);
typedef void (*XML_EndElementHandler)(void *, const XML_Char *);
typedef void (*XML_CharacterDataHandler)(void *, const XML_Char *, int);
typedef void (*XML_CommentHandler)(void *, const XML_Char *);
typedef void (*XML_DefaultHandler)(void *, const XML_Char *, int);
typedef void (*XML_StartNamespaceDeclHandler)(void *, const XML_Char *, const XML_Char *);
typedef void (*XML_EndNamespaceDeclHandler)(void *, const XML_Char *);
typedef void (*XML_ProcessingInstructionHandler)(void *, const XML_Char *, const XML_Char *);
typedef int (*XML_UnknownEncodingHandler)(void *, const XML_Char *, XML_Encoding *);
typedef void (*XML_StartDoctypeDeclHandler)(void *, const XML_Char *, const XML_Char *,
                                            const XML_Char *, int);

#define PyExpat_CAPI_MAGIC "pyexpat.expat_CAPI 1.1"
#define PyExpat_CAPSULE_NAME "pyexpat.expat_CAPI"

struct PyExpat_CAPI {  /* Include/pyexpat.h, version 1.1 (Python 3.7 and later) */
    char *magic;
    int size;
    int MAJOR_VERSION;
    int MINOR_VERSION;
    int MICRO_VERSION;
    const XML_LChar *(*ErrorString)(enum XML_Error code);
    enum XML_Error (*GetErrorCode)(XML_Parser parser);
    XML_Size (*GetErrorColumnNumber)(XML_Parser parser);
    XML_Size (*GetErrorLineNumber)(XML_Parser parser);
    enum XML_Status (*Parse)(XML_Parser parser, const char *s, int len, int isFinal);
    XML_Parser (*ParserCreate_MM)(const XML_Char *encoding, const XML_Memory_Handling_Suite *memsuite,
                                  const XML_Char *namespaceSeparator);
    void (*ParserFree)(XML_Parser parser);
    void (*SetCharacterDataHandler)(XML_Parser parser, XML_CharacterDataHandler handler);
    void (*SetCommentHandler)(XML_Parser parser, XML_CommentHandler handler);
    void (*SetDefaultHandlerExpand)(XML_Parser parser, XML_DefaultHandler handler);
    void (*SetElementHandler)(XML_Parser parser, XML_StartElementHandler start, XML_EndElementHandler end);
    void (*SetNamespaceDeclHandler)(XML_Parser parser, XML_StartNamespaceDeclHandler start,
                                    XML_EndNamespaceDeclHandler end);
    void (*SetProcessingInstructionHandler)(XML_Parser parser, XML_ProcessingInstructionHandler handler);
    void (*SetUnknownEncodingHandler)(XML_Parser parser, XML_UnknownEncodingHandler handler,
                                      void *encodingHandlerData);
    void (*SetUserData)(XML_Parser parser, void *userData);
    void (*SetStartDoctypeDeclHandler)(XML_Parser parser, XML_StartDoctypeDeclHandler start);
    enum XML_Status (*SetEncoding)(XML_Parser parser, const XML_Char *encoding);
    int (*DefaultUnknownEncodingHandler)(void *encodingHandlerData, const XML_Char *name,
                                         XML_Encoding *info);
    int (*SetHashSalt)(XML_Parser parser, unsigned long hash_salt);
};

static struct PyExpat_CAPI *expat;
/* reader.Cell's slots, in the order close_cell fills them */
#define N_SLOTS 6
static const char *SLOTS[N_SLOTS] = {"_element", "_careful", "_text", "column", "span", "continued"};

static const char W_URI[] = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
static const char MC_URI[] = "http://schemas.openxmlformats.org/markup-compatibility/2006";
static const char XML_URI[] = "http://www.w3.org/XML/1998/namespace";
static const char XMLNS_URI[] = "http://www.w3.org/2000/xmlns/";

/* what an element is to the pass: the WordprocessingML elements it looks at, or OTHER */
enum {
    K_OTHER, K_BODY, K_TBL, K_TR, K_TC, K_P, K_T, K_TAB, K_BR, K_CR, K_NBH, K_GRID_BEFORE,
    K_GRID_SPAN, K_VMERGE, K_TRPR, K_TCPR, K_TABS, K_WRAPPER, K_MARKED
};

typedef struct {
    int kind;
    unsigned long id;
    unsigned long first_prop;  /* the id of its first w:trPr (a w:tr) or w:tcPr (a w:tc) child */
} Entry;

typedef struct {
    char *data;
    size_t len, cap;
} Buf;

#define MAX_PREFIXES 128
#define MAX_DEPTH 200  /* deeper: lxml decides (libxml2 refuses beyond 256 or 2048 levels) */
#define N_CHECKED 64
#define MAX_DOCUMENT 1000000000  /* larger: lxml decides (libxml2 limits a text to this; < INT_MAX) */
#define MAX_NAME 50000  /* longer names: lxml decides (libxml2 refuses them beyond a limit) */

typedef struct {
    XML_Parser parser;
    int stop;  /* declined, or a Python error is set (`error`): no more work */
    int error;
    Entry *stack;
    size_t depth, cap;  /* stack[0 .. depth-1]: the open elements, the root first */
    unsigned long next_id;
    /* the root's namespace declarations */
    int nprefixes;
    const char *prefix[MAX_PREFIXES];  /* owned copies */
    size_t prefix_len[MAX_PREFIXES];
    const char *w;  /* the prefix bound to WordprocessingML, and to markup compatibility */
    size_t w_len;
    const char *mc;
    size_t mc_len;
    /* where the body is */
    int body_state;  /* 0: not yet, 1: inside, 2: over */
    unsigned long body;
    /* the single pass: open table, row, cell and paragraph (ids; 0: none), as reader._single_pass */
    unsigned long tbl, tr, tc, p;
    size_t p_at;  /* the stack index the open paragraph had */
    int cell_open, cell_continued;
    long cell_column, cell_span, start;
    int row_has_cells;
    long number;
    Buf pieces;  /* the open paragraph's text so far (UTF-8) */
    PyObject *lines;  /* the open cell's paragraphs before the open one (a list, or NULL) */
    PyObject *cells, *rows, *blocks;  /* the open row's cells, the open table's rows, all blocks */
    size_t t_at;  /* collecting the text of the w:t at this stack index + 1 (0: not collecting) */
    PyObject *Cell, *Row, *Table;
    Py_ssize_t slot[N_SLOTS];  /* where Cell's slots are in an instance */
    const char *checked[N_CHECKED];  /* attribute names whose prefix was found declared */
    int interned;  /* element names come one pointer a name (the tokenizer's): their kinds are kept */
    const char *kind_name[N_CHECKED];
    int kind_of[N_CHECKED];
} State;

/* where each of Cell's __slots__ lies in an instance (as its member descriptors say); -1 if the
   class is not the one expected (a Python error is set) */
static int find_slots(PyObject *cls, Py_ssize_t *slot) {
    PyTypeObject *type = (PyTypeObject *)cls;
    if (type->tp_itemsize != 0 || type->tp_dictoffset != 0) {
        PyErr_SetString(PyExc_TypeError, "Cell must be a class with __slots__ only");
        return -1;
    }
    for (int i = 0; i < N_SLOTS; i++) {
        PyObject *descr = PyDict_GetItemString(type->tp_dict, SLOTS[i]);  /* borrowed */
        if (!descr || !Py_IS_TYPE(descr, &PyMemberDescr_Type)
                || ((PyMemberDescrObject *)descr)->d_member->type != T_OBJECT_EX) {
            PyErr_Format(PyExc_TypeError, "Cell has no slot %s", SLOTS[i]);
            return -1;
        }
        slot[i] = ((PyMemberDescrObject *)descr)->d_member->offset;
    }
    return 0;
}

static void decline(State *st) {
    if (!st->stop) {
        st->stop = 1;
        if (!st->parser)
            return;  /* the tokenizer: it stops on st->stop */
        expat->SetElementHandler(st->parser, NULL, NULL);
        expat->SetCharacterDataHandler(st->parser, NULL);
        expat->SetCommentHandler(st->parser, NULL);
        expat->SetProcessingInstructionHandler(st->parser, NULL);
    }
}

static void fail(State *st) {  /* a Python error is set */
    st->error = 1;
    decline(st);
}

static int buf_add(Buf *b, const char *s, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        char *data = PyMem_Realloc(b->data, cap);
        if (!data)
            return -1;
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    return 0;
}

/* --- text as reader.py makes it: `text.replace("\u00a0", " ").strip()` --------------------- */

static Py_UCS4 decode_at(const unsigned char *s, size_t n, size_t *size) {
    unsigned char c = s[0];
    if (c < 0x80 || n < 2) { *size = 1; return c; }
    if (c < 0xE0) { *size = 2; return ((Py_UCS4)(c & 0x1F) << 6) | (s[1] & 0x3F); }
    if (c < 0xF0 || n < 4) {
        *size = 3;
        return n < 3 ? c : ((Py_UCS4)(c & 0x0F) << 12) | ((Py_UCS4)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    }
    *size = 4;
    return ((Py_UCS4)(c & 0x07) << 18) | ((Py_UCS4)(s[1] & 0x3F) << 12) | ((Py_UCS4)(s[2] & 0x3F) << 6)
           | (s[3] & 0x3F);
}

/* the stripped, nbsp-free text of UTF-8 bytes (expat's output: valid UTF-8) as a new str */
static PyObject *clean_text(const char *data, size_t len) {
    const unsigned char *s = (const unsigned char *)data;
    size_t a = 0, b = len, size;
    while (a < b) {  /* str.strip(): the characters str.isspace() says are whitespace */
        Py_UCS4 ch = decode_at(s + a, b - a, &size);
        if (size > b - a || !Py_UNICODE_ISSPACE(ch))
            break;  /* (a truncated sequence cannot come from expat; never read past the end) */
        a += size;
    }
    while (b > a) {
        size_t at = b - 1;
        while (at > a && (s[at] & 0xC0) == 0x80)
            at--;
        Py_UCS4 ch = decode_at(s + at, b - at, &size);
        if (!Py_UNICODE_ISSPACE(ch))
            break;
        b = at;
    }
    PyObject *text = PyUnicode_DecodeUTF8(data + a, (Py_ssize_t)(b - a), "strict");
    if (!text)
        return NULL;
    int has_nbsp = 0;
    for (size_t i = a; i + 1 < b; i++)
        if (s[i] == 0xC2 && s[i + 1] == 0xA0) { has_nbsp = 1; break; }
    if (has_nbsp) {
        static PyObject *nbsp, *space;
        if (!nbsp) {
            nbsp = PyUnicode_FromString("\xc2\xa0");
            space = PyUnicode_FromString(" ");
            if (!nbsp || !space)
                { Py_DECREF(text); return NULL; }
        }
        PyObject *replaced = PyUnicode_Replace(text, nbsp, space, -1);
        Py_DECREF(text);
        return replaced;
    }
    return text;
}

/* a slot of a cache keyed by a name's one pointer */
static size_t slot_of(const char *name) {
    uintptr_t v = (uintptr_t)name;
    v ^= v >> 6;
    v ^= v >> 12;
    return (size_t)(v & (N_CHECKED - 1));
}

/* --- closing a cell and a block, as reader._close_cell and reader._close_block ------------- */

static int close_cell(State *st) {
    PyObject *text;
    if (st->lines == NULL) {  /* the cell's only paragraph, or none */
        text = st->p ? clean_text(st->pieces.data, st->pieces.len) : PyUnicode_FromString("");
    } else {
        if (st->p) {
            PyObject *line = PyUnicode_DecodeUTF8(st->pieces.data, (Py_ssize_t)st->pieces.len, "strict");
            if (!line || PyList_Append(st->lines, line) < 0) { Py_XDECREF(line); return -1; }
            Py_DECREF(line);
        }
        /* "\n".join(t for t in (line.replace("\u00a0", " ").strip() for line in lines) if t) */
        PyObject *kept = PyList_New(0);
        if (!kept)
            return -1;
        Py_ssize_t n = PyList_GET_SIZE(st->lines);
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_ssize_t size;
            const char *utf8 = PyUnicode_AsUTF8AndSize(PyList_GET_ITEM(st->lines, i), &size);
            PyObject *line = utf8 ? clean_text(utf8, (size_t)size) : NULL;
            if (!line) { Py_DECREF(kept); return -1; }
            if (PyUnicode_GET_LENGTH(line) && PyList_Append(kept, line) < 0)
                { Py_DECREF(line); Py_DECREF(kept); return -1; }
            Py_DECREF(line);
        }
        PyObject *newline = PyUnicode_FromString("\n");
        text = newline ? PyUnicode_Join(newline, kept) : NULL;
        Py_XDECREF(newline);
        Py_DECREF(kept);
        Py_CLEAR(st->lines);
    }
    if (!text)
        return -1;
    /* Cell(None, column, span, continued, text): its slots filled as its __init__ fills them */
    PyTypeObject *type = (PyTypeObject *)st->Cell;
    PyObject *cell = type->tp_alloc(type, 0);
    PyObject *column = PyLong_FromLong(st->cell_column), *span = PyLong_FromLong(st->cell_span);
    if (!cell || !column || !span) {
        Py_XDECREF(cell);
        Py_XDECREF(column);
        Py_XDECREF(span);
        Py_DECREF(text);
        return -1;
    }
    PyObject *values[N_SLOTS] = {Py_None, Py_True, text, column, span,
                                 st->cell_continued ? Py_True : Py_False};
    for (int i = 0; i < N_SLOTS; i++)  /* new references: the slots were empty */
        *(PyObject **)((char *)cell + st->slot[i]) = Py_NewRef(values[i]);
    Py_DECREF(column);
    Py_DECREF(span);
    Py_DECREF(text);
    int ok;
    ok = PyList_Append(st->cells, cell);
    Py_DECREF(cell);
    st->cell_open = 0;
    return ok;
}

static int close_block(State *st) {
    PyObject *block;
    if (st->tbl) {
        PyObject *number = PyLong_FromLong(st->number);
        if (!number)
            return -1;
        block = PyObject_CallFunctionObjArgs(st->Table, number, st->rows, NULL);
        Py_DECREF(number);
    } else if (st->p) {
        block = clean_text(st->pieces.data, st->pieces.len);
    } else {
        return 0;
    }
    if (!block)
        return -1;
    int ok = PyList_Append(st->blocks, block);
    Py_DECREF(block);
    return ok;
}

/* --- names and namespaces ---------------------------------------------------------------- */

/* A QName lxml takes: ASCII (Word's are), one colon at most, neither part empty; its prefix
   (or none) is declared on the root. Returns the local part, or NULL to decline. */
static const char *check_name(State *st, const char *name, int attribute, const char **prefix,
                              size_t *prefix_len) {
    const char *colon = NULL;
    for (const char *c = name; *c; c++) {
        if ((unsigned char)*c >= 0x80 || c - name >= MAX_NAME)
            return NULL;
        if (*c == ':') {
            if (colon)
                return NULL;
            colon = c;
        }
    }
    *prefix = NULL;
    *prefix_len = 0;
    if (!colon)
        return name;
    size_t n = (size_t)(colon - name);
    char after = colon[1];
    if (n == 0 || after == '\0' || (after >= '0' && after <= '9') || after == '-' || after == '.')
        return NULL;  /* both parts NCNames: a local part cannot start with a digit, - or . */
    *prefix = name;
    *prefix_len = n;
    if (n == st->w_len && memcmp(name, st->w, n) == 0)
        return colon + 1;  /* most names */
    if (n == 3 && memcmp(name, "xml", 3) == 0)
        return colon + 1;  /* always bound */
    if (attribute && n == 5 && memcmp(name, "xmlns", 5) == 0)
        return colon + 1;  /* a declaration: only on the root, checked there */
    for (int i = 0; i < st->nprefixes; i++) {
        if (st->prefix_len[i] == n && memcmp(st->prefix[i], name, n) == 0) {
            if (i > 0) {  /* move to front: a document uses a few prefixes, over and over */
                const char *p = st->prefix[i];
                size_t l = st->prefix_len[i];
                memmove(st->prefix + 1, st->prefix, (size_t)i * sizeof(char *));
                memmove(st->prefix_len + 1, st->prefix_len, (size_t)i * sizeof(size_t));
                st->prefix[0] = p;
                st->prefix_len[0] = l;
            }
            return colon + 1;
        }
    }
    return NULL;
}

/* a namespace name libxml2 surely takes as a URI, as Word's and LibreOffice's are: http(s)://
   host/path or urn:name, of letters, digits and "-._~" (and "/" in a path, ":" in a urn) */
static int plain_uri(const char *value) {
    const char *c, *extra;
    if (strncmp(value, "http://", 7) == 0 || strncmp(value, "https://", 8) == 0) {
        c = value + (value[4] == 's' ? 8 : 7);
        extra = "";
        if (!*c || *c == '/')
            return 0;  /* no host */
        for (; *c && *c != '/'; c++)
            if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')
                  || *c == '-' || *c == '.'))
                return 0;
        extra = "/";
    } else if (strncmp(value, "urn:", 4) == 0 && value[4]) {
        c = value + 4;
        extra = ":";
    } else {
        return 0;
    }
    for (; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')
              || *c == '-' || *c == '.' || *c == '_' || *c == '~' || *c == extra[0]))
            return 0;
    return 1;
}

/* the root's xmlns and xmlns:P attributes; 0, or -1 to decline */
static int read_declarations(State *st, const char **atts) {
    const char *uris[MAX_PREFIXES + 1];
    int nuris = 0;
    for (const char **a = atts; *a; a += 2) {
        const char *name = a[0], *value = a[1];
        if (strncmp(name, "xmlns", 5) != 0 || (name[5] != '\0' && name[5] != ':'))
            continue;
        if (!plain_uri(value))
            return -1;
        if (strcmp(value, W_URI) == 0 || strcmp(value, MC_URI) == 0) {
            if (name[5] == '\0')
                return -1;  /* Word's elements without a prefix: not read here */
        }
        if (strcmp(value, XML_URI) == 0 || strcmp(value, XMLNS_URI) == 0)
            return -1;
        if (name[5] == '\0')
            continue;  /* a default namespace that is not Word's: its elements are not read */
        const char *prefix = name + 6;
        size_t n = strlen(prefix);
        if (n == 0 || value[0] == '\0' || strchr(prefix, ':') || st->nprefixes >= MAX_PREFIXES)
            return -1;
        if ((n == 3 && memcmp(prefix, "xml", 3) == 0) || (n == 5 && memcmp(prefix, "xmlns", 5) == 0))
            return -1;
        for (int i = 0; i < nuris; i++)
            if (strcmp(uris[i], value) == 0)
                return -1;  /* two prefixes for one namespace: attributes could clash */
        uris[nuris++] = value;
        char *copy = PyMem_Malloc(n + 1);
        if (!copy)
            return -2;
        memcpy(copy, prefix, n + 1);
        st->prefix[st->nprefixes] = copy;
        st->prefix_len[st->nprefixes] = n;
        st->nprefixes++;
        if (strcmp(value, W_URI) == 0) {
            st->w = copy;
            st->w_len = n;
        } else if (strcmp(value, MC_URI) == 0) {
            st->mc = copy;
            st->mc_len = n;
        }
    }
    return st->w ? 0 : -1;
}

static int w_kind(const char *local) {
    switch (local[0]) {
    case 'b':
        if (strcmp(local, "body") == 0) return K_BODY;
        if (strcmp(local, "br") == 0) return K_BR;
        break;
    case 'c':
        if (strcmp(local, "cr") == 0) return K_CR;
        if (strcmp(local, "customXml") == 0) return K_WRAPPER;
        break;
    case 'd':
        if (strcmp(local, "del") == 0) return K_MARKED;
        break;
    case 'g':
        if (strcmp(local, "gridSpan") == 0) return K_GRID_SPAN;
        if (strcmp(local, "gridBefore") == 0) return K_GRID_BEFORE;
        break;
    case 'i':
        if (strcmp(local, "ins") == 0) return K_MARKED;
        break;
    case 'm':
        if (strcmp(local, "moveTo") == 0 || strcmp(local, "moveFrom") == 0) return K_MARKED;
        break;
    case 'n':
        if (strcmp(local, "noBreakHyphen") == 0) return K_NBH;
        break;
    case 'p':
        if (local[1] == '\0') return K_P;
        break;
    case 's':
        if (strcmp(local, "sdt") == 0 || strcmp(local, "sdtContent") == 0 || strcmp(local, "smartTag") == 0)
            return K_WRAPPER;
        break;
    case 't':
        switch (local[1]) {
        case '\0': return K_T;
        case 'c':
            if (local[2] == '\0') return K_TC;
            if (strcmp(local, "tcPr") == 0) return K_TCPR;
            break;
        case 'r':
            if (local[2] == '\0') return K_TR;
            if (strcmp(local, "trPr") == 0) return K_TRPR;
            break;
        case 'b':
            if (strcmp(local, "tbl") == 0) return K_TBL;
            break;
        case 'a':
            if (strcmp(local, "tab") == 0) return K_TAB;
            if (strcmp(local, "tabs") == 0) return K_TABS;
            break;
        }
        break;
    case 'v':
        if (strcmp(local, "vMerge") == 0) return K_VMERGE;
        break;
    }
    return K_OTHER;
}

/* --- the pass ---------------------------------------------------------------------------- */

/* the id of the nearest ancestor of stack[at] that is not a block wrapper (0 at the top) */
static unsigned long nearest(State *st, size_t at) {
    for (size_t i = at; i-- > 0;)
        if (st->stack[i].kind != K_WRAPPER)
            return st->stack[i].id;
    return 0;
}

/* the element at stack[at] has the open paragraph among its ancestors */
static int in_paragraph(State *st, size_t at) {
    return st->p && st->p_at < at && st->stack[st->p_at].id == st->p;
}

/* int(value or default) as Python reads a w:val; -1 when it is not plain digits (declined) */
static long read_int(const char **atts, long otherwise, const char *w, size_t w_len) {
    for (const char **a = atts; *a; a += 2) {
        const char *name = a[0];
        if (strncmp(name, w, w_len) == 0 && name[w_len] == ':' && strcmp(name + w_len + 1, "val") == 0) {
            const char *v = a[1];
            if (*v == '\0')
                return otherwise;
            while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
                v++;
            long n = 0;
            int digits = 0;
            while (*v >= '0' && *v <= '9') {
                if (++digits > 9)
                    return -1;
                n = n * 10 + (*v++ - '0');
            }
            while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
                v++;
            return (digits && *v == '\0') ? n : -1;
        }
    }
    return otherwise;
}

/* the w:val of a w:vMerge: "continue" when absent */
static int merge_continues(const char **atts, const char *w, size_t w_len) {
    for (const char **a = atts; *a; a += 2) {
        const char *name = a[0];
        if (strncmp(name, w, w_len) == 0 && name[w_len] == ':' && strcmp(name + w_len + 1, "val") == 0)
            return strcmp(a[1], "continue") == 0;
    }
    return 1;
}

static int append_piece(State *st, const char *s, size_t n) {
    if (buf_add(&st->pieces, s, n) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static int in_body(State *st, Entry *e, size_t at, const char **atts) {
    switch (e->kind) {
    case K_T:
        if (!in_paragraph(st, at))
            return 1;
        st->t_at = at + 1;
        return 0;
    case K_P: {
        unsigned long up = nearest(st, at);
        if (st->tc && up == st->tc) {  /* a paragraph of the open cell */
            if (st->p) {
                if (!st->lines && !(st->lines = PyList_New(0)))
                    return -1;
                PyObject *line = PyUnicode_DecodeUTF8(st->pieces.data, (Py_ssize_t)st->pieces.len, "strict");
                if (!line || PyList_Append(st->lines, line) < 0) { Py_XDECREF(line); return -1; }
                Py_DECREF(line);
            }
        } else if (up == st->body) {  /* a paragraph of the body: the open table or paragraph is over */
            if (st->cell_open && close_cell(st) < 0)
                return -1;
            if (close_block(st) < 0)
                return -1;
            st->tbl = st->tr = st->tc = 0;
            Py_CLEAR(st->rows);
        } else {
            return 1;
        }
        st->pieces.len = 0;
        st->p = e->id;
        st->p_at = at;
        return 0;
    }
    case K_TC:
        if (!st->tr || nearest(st, at) != st->tr)
            return 1;
        if (st->cell_open) {
            long column = st->cell_column + st->cell_span;
            if (close_cell(st) < 0)
                return -1;
            st->cell_column = column;
        } else {
            st->cell_column = st->start;
        }
        st->cell_open = 1;
        st->cell_span = 1;
        st->cell_continued = 0;
        st->row_has_cells = 1;
        st->tc = e->id;
        st->p = 0;
        Py_CLEAR(st->lines);
        st->pieces.len = 0;
        return 0;
    case K_TR: {
        if (!st->tbl || nearest(st, at) != st->tbl)
            return 1;
        if (st->cell_open && close_cell(st) < 0)
            return -1;
        Py_CLEAR(st->cells);
        if (!(st->cells = PyList_New(0)))
            return -1;
        st->start = 0;
        st->row_has_cells = 0;
        PyObject *row = PyObject_CallOneArg(st->Row, st->cells);
        if (!row || PyList_Append(st->rows, row) < 0) { Py_XDECREF(row); return -1; }
        Py_DECREF(row);
        st->tr = e->id;
        st->tc = 0;
        st->p = 0;
        st->pieces.len = 0;
        return 0;
    }
    case K_TBL:
        if (nearest(st, at) != st->body)
            return 1;  /* a table in a cell or in a text box */
        if (st->cell_open && close_cell(st) < 0)
            return -1;
        if (close_block(st) < 0)
            return -1;
        st->number++;
        st->tbl = e->id;
        st->tr = st->tc = st->p = 0;
        Py_CLEAR(st->rows);
        if (!(st->rows = PyList_New(0)))
            return -1;
        st->pieces.len = 0;
        return 0;
    case K_TAB:
        if (st->stack[at - 1].kind == K_TABS)
            return 0;  /* a tab stop of the paragraph's properties */
        if (!in_paragraph(st, at))
            return 1;
        return append_piece(st, " ", 1);
    case K_BR:
    case K_CR:
        if (!in_paragraph(st, at))
            return 1;
        return append_piece(st, "\n", 1);
    case K_NBH:
        if (!in_paragraph(st, at))
            return 1;
        return append_piece(st, "-", 1);
    case K_GRID_BEFORE: {
        /* in the row's first w:trPr, before any cell */
        if (!st->tr || st->row_has_cells || at < 2 || st->stack[at - 2].id != st->tr
                || st->stack[at - 1].id != st->stack[at - 2].first_prop)
            return 1;
        long n = read_int(atts, 0, st->w, st->w_len);
        if (n < 0)
            return 1;
        st->start = n;
        return 0;
    }
    case K_GRID_SPAN:
    case K_VMERGE: {
        Entry *holder = at >= 2 ? &st->stack[at - 2] : NULL;
        if (!st->cell_open || !holder || holder->id != st->tc) {
            if (holder && holder->kind == K_TC)
                return 1;  /* a cell's property out of place */
            return 0;  /* a former value (in w:tcPrChange) */
        }
        if (st->stack[at - 1].id != holder->first_prop)
            return 1;
        if (e->kind == K_GRID_SPAN) {
            long n = read_int(atts, 1, st->w, st->w_len);
            if (n < 0)
                return 1;
            st->cell_span = n > 1 ? n : 1;
        } else {
            st->cell_continued = merge_continues(atts, st->w, st->w_len);
        }
        return 0;
    }
    }
    return 0;
}

static void XMLCALL_start(void *data, const XML_Char *name, const XML_Char **atts) {
    State *st = data;
    if (st->stop)
        return;
    st->t_at = 0;  /* a child ends a w:t's text (lxml's .text) */
    size_t at = st->depth;
    if (at == 0) {
        int r = read_declarations(st, atts);
        if (r == -2) { PyErr_NoMemory(); fail(st); return; }
        if (r < 0) { decline(st); return; }
    }
    for (const char **a = atts; *a; a += 2) {
        const char *prefix;
        size_t n;
        if (at > 0 && a[0][0] == 'x' && strncmp(a[0], "xmlns", 5) == 0 && (a[0][5] == '\0' || a[0][5] == ':'))
            { decline(st); return; }  /* a namespace declared below the root */
        /* expat (and the tokenizer) hand each attribute name from a table of names: one pointer a
           name, checked once */
        size_t slot = slot_of(a[0]);
        if (st->checked[slot] == a[0])
            continue;
        if (!check_name(st, a[0], 1, &prefix, &n))
            { decline(st); return; }
        st->checked[slot] = a[0];
    }
    int kind;
    size_t slot = slot_of(name);
    if (st->interned && st->kind_name[slot] == name) {
        kind = st->kind_of[slot];
    } else {
        const char *prefix;
        size_t prefix_len;
        const char *local = check_name(st, name, 0, &prefix, &prefix_len);
        if (!local || (prefix_len == 5 && memcmp(prefix, "xmlns", 5) == 0))
            { decline(st); return; }
        kind = K_OTHER;
        if (prefix_len == st->w_len && memcmp(prefix, st->w, prefix_len) == 0)
            kind = w_kind(local);
        else if (st->mc && prefix_len == st->mc_len && memcmp(prefix, st->mc, prefix_len) == 0
                 && strcmp(local, "Fallback") == 0)
            kind = K_MARKED;
        if (st->interned) {
            st->kind_name[slot] = name;
            st->kind_of[slot] = kind;
        }
    }
    if (kind == K_MARKED)
        { decline(st); return; }
    if (at >= MAX_DEPTH)
        { decline(st); return; }
    if (at >= st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 64;
        Entry *stack = PyMem_Realloc(st->stack, cap * sizeof(Entry));
        if (!stack) { PyErr_NoMemory(); fail(st); return; }
        st->stack = stack;
        st->cap = cap;
    }
    Entry *e = &st->stack[at];
    e->kind = kind;
    e->id = ++st->next_id;
    e->first_prop = 0;
    st->depth = at + 1;
    if (at > 0 && ((kind == K_TRPR && st->stack[at - 1].kind == K_TR)
                   || (kind == K_TCPR && st->stack[at - 1].kind == K_TC))
            && st->stack[at - 1].first_prop == 0)
        st->stack[at - 1].first_prop = e->id;
    if (st->body_state == 0) {
        if (at == 1 && kind == K_BODY) {
            st->body_state = 1;
            st->body = e->id;
        }
        return;
    }
    if (st->body_state != 1)
        return;
    int r = in_body(st, e, at, atts);
    if (r < 0)
        fail(st);
    else if (r > 0)
        decline(st);
}

static void XMLCALL_end(void *data, const XML_Char *name) {
    State *st = data;
    (void)name;
    if (st->stop)
        return;
    st->t_at = 0;
    st->depth--;
    if (st->body_state == 1 && st->stack[st->depth].id == st->body)
        st->body_state = 2;
}

static void XMLCALL_text(void *data, const XML_Char *s, int len) {
    State *st = data;
    if (st->t_at && st->t_at == st->depth && len > 0) {
        if (append_piece(st, s, (size_t)len) < 0)
            fail(st);
    }
}

static void XMLCALL_child(void *data, const XML_Char *a) {  /* a comment: a child node */
    (void)a;
    ((State *)data)->t_at = 0;
}

static void XMLCALL_pi(void *data, const XML_Char *target, const XML_Char *value) {
    (void)value;
    ((State *)data)->t_at = 0;
    if (strchr(target, ':'))
        decline((State *)data);  /* lxml refuses a colon in a processing instruction's name */
}

static void XMLCALL_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
                            const XML_Char *pubid, int internal) {
    (void)name; (void)sysid; (void)pubid; (void)internal;
    decline((State *)data);  /* entities: lxml's reading (and its refusal) decides */
}

/* --- a tokenizer for the XML Word writes, in place of expat when it can promise expat's events -- */

/* Expat (with its name hashing, accounting and copying) was half of a form's cost. Word's and
   LibreOffice's document.xml use a small part of XML: ASCII names, UTF-8 text, the five
   predefined entities, no DOCTYPE, comments, CDATA sections, processing instructions or
   character references. `scan` reads exactly that part, checks it as XML 1.0 requires
   (well-formed: matching tags, one value an attribute, every character allowed, no "]]>" in
   text) and calls the pass's handlers with the events expat would give (attribute values
   normalized, entities replaced). On anything else, well-formed or not, it says SCAN_OTHER and
   expat reads the document from the start, as before. It works on its own copy of the document,
   ending names and values with NULs in place. */

enum { SCAN_DONE, SCAN_OTHER };

#define SCAN_MAX_ATTS 32        /* attributes an element (the root: SCAN_MAX_ROOT_ATTS) */
#define SCAN_MAX_ROOT_ATTS 512

/* bytes that end a run of plain characters: in text, and in an attribute value */
static unsigned char STOP_TEXT[256], STOP_VALUE[256], NAME_START[256], NAME_CHAR[256];

static void scan_tables(void) {
    for (int c = 0; c < 256; c++) {
        int control = c < 0x20 && c != '\t' && c != '\n';
        STOP_TEXT[c] = control || c >= 0x80 || c == '<' || c == '&' || c == ']' || c == '\r';
        STOP_VALUE[c] = control || c >= 0x80 || c == '<' || c == '&' || c == '"' || c == '\''
                        || c == '\t' || c == '\n' || c == '\r';
        NAME_START[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
        NAME_CHAR[c] = NAME_START[c] || (c >= '0' && c <= '9') || c == '-' || c == '.';
    }
}

#define IS_S(c) ((c) == ' ' || (c) == '\t' || (c) == '\n')  /* (a CR is never taken here) */

/* the length of the UTF-8 sequence at s that encodes an XML 1.0 Char above U+007F, or 0 */
static size_t utf8_char(const unsigned char *s, const unsigned char *end) {
    size_t n = (size_t)(end - s);
    unsigned char c = s[0];
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))
            return 0;  /* overlong; a surrogate */
        if (c == 0xEF && s[1] == 0xBF && (s[2] == 0xBE || s[2] == 0xBF))
            return 0;  /* U+FFFE, U+FFFF */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
            return 0;  /* overlong; above U+10FFFF */
        return 4;
    }
    return 0;
}

/* one of the five predefined entities at s ('&' at s[0]): its character, its length in *n; 0 if
   it is anything else (a character reference, an entity of a DTD, a stray '&') */
static char predefined(const char *s, const char *end, size_t *n) {
    size_t left = (size_t)(end - s);
    if (left >= 5 && memcmp(s, "&amp;", 5) == 0) { *n = 5; return '&'; }
    if (left >= 4 && memcmp(s, "&lt;", 4) == 0) { *n = 4; return '<'; }
    if (left >= 4 && memcmp(s, "&gt;", 4) == 0) { *n = 4; return '>'; }
    if (left >= 6 && memcmp(s, "&quot;", 6) == 0) { *n = 6; return '"'; }
    if (left >= 6 && memcmp(s, "&apos;", 6) == 0) { *n = 6; return '\''; }
    return 0;
}

/* Past the XML declaration Word writes (version 1.0, encoding UTF-8, standalone yes or no) or
   none, after an optional UTF-8 byte order mark; NULL for any other declaration. Both readers
   read only such documents (as UTF-8): expat takes any version and encodings libxml2 reads
   otherwise (a BOM against the declaration, UTF-16 without a BOM). */
static const char *scan_declaration(const char *s, const char *end) {
    if (end - s >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
        s += 3;
    if (end - s >= 2 && (s[0] == '\0' || s[1] == '\0' || (unsigned char)s[0] >= 0xFE))
        return NULL;  /* UTF-16 or UTF-32, which expat detects whatever it is told */
    if (end - s < 6 || memcmp(s, "<?xml", 5) != 0)
        return s;
    static const char *const parts[3][2] = {
        {"version", "1.0"}, {"encoding", "UTF-8"}, {"standalone", NULL}};
    s += 5;
    for (int i = 0; i < 3; i++) {
        const char *at = s;
        while (s < end && IS_S(*s))
            s++;
        size_t n = strlen(parts[i][0]);
        if (s == at || (size_t)(end - s) < n || memcmp(s, parts[i][0], n) != 0) {
            if (i == 0)
                return NULL;
            s = at;
            continue;
        }
        s += n;
        while (s < end && IS_S(*s))
            s++;
        if (s == end || *s != '=')
            return NULL;
        s++;
        while (s < end && IS_S(*s))
            s++;
        if (s == end || (*s != '"' && *s != '\''))
            return NULL;
        char quote = *s++;
        const char *value = s;
        while (s < end && *s != quote)
            s++;
        if (s == end)
            return NULL;
        size_t len = (size_t)(s - value);
        s++;
        if (i == 0 && !(len == 3 && memcmp(value, "1.0", 3) == 0))
            return NULL;
        if (i == 1 && !(len == 5 && (value[0] | 0x20) == 'u' && (value[1] | 0x20) == 't'
                        && (value[2] | 0x20) == 'f' && memcmp(value + 3, "-8", 2) == 0))
            return NULL;
        if (i == 2 && !((len == 3 && memcmp(value, "yes", 3) == 0) || (len == 2 && memcmp(value, "no", 2) == 0)))
            return NULL;
    }
    while (s < end && IS_S(*s))
        s++;
    if (end - s < 2 || s[0] != '?' || s[1] != '>')
        return NULL;
    return s + 2;
}

typedef struct {
    const char *name;
    size_t len;
} Open;

/* Names one pointer a name (the first place each is written, ended by its NUL), so that the
   pass checks each name once; past INTERNED / 2 names, later ones go as they are. */
#define INTERNED 512

static const char *intern(Open *table, size_t *count, const char *name, size_t len) {
    const unsigned char *u = (const unsigned char *)name;  /* (len >= 1) a hash of a few bytes */
    size_t h = len * 97 + u[len - 1] * 31 + u[len / 2] * 7 + u[(len - 1) / 3];
    for (size_t i = h & (INTERNED - 1);; i = (i + 1) & (INTERNED - 1)) {
        Open *e = &table[i];
        if (!e->name) {
            if (*count >= INTERNED / 2)
                return name;
            e->name = name;
            e->len = len;
            (*count)++;
            return name;
        }
        if (e->len == len && memcmp(e->name, name, len) == 0)
            return e->name;
    }
}

/* Reads the document in buf[0 .. len-1] from `start`, past the declaration fast_blocks checked
   (buf[len] is a spare byte), calling the pass's handlers.
   SCAN_DONE: read to the end, well-formed, or the pass stopped (declined, or a Python error);
   SCAN_OTHER: not in the part of XML read here, or not well-formed: nothing can be said, and the
   pass's state is to be dropped. */
static int scan(State *st, char *buf, size_t len, size_t start) {
    char *s = buf + start, *end = buf + len;
    Open *open = NULL;
    size_t depth = 0, cap = 0;
    const char *atts[2 * SCAN_MAX_ROOT_ATTS + 1];
    size_t att_len[SCAN_MAX_ROOT_ATTS];
    Open names[INTERNED];
    size_t nnames = 0;
    memset(names, 0, sizeof names);
    int result = SCAN_OTHER, seen_root = 0;
    st->interned = 1;
    for (;;) {
        /* text, up to the next tag */
        char *text = s, *out = s;
        int has_text = 0;
        for (;;) {
            char *run = s;
            while (s < end && !STOP_TEXT[(unsigned char)*s])
                s++;
            if (s != run) {
                if (out != run)
                    memmove(out, run, (size_t)(s - run));
                out += s - run;
            }
            if (s == end || *s == '<')
                break;
            unsigned char c = (unsigned char)*s;
            if (c == '&') {
                size_t n;
                char ch = predefined(s, end, &n);
                if (!ch)
                    goto other;
                *out++ = ch;
                s += n;
            } else if (c == ']') {
                if (end - s >= 3 && s[1] == ']' && s[2] == '>')
                    goto other;
                *out++ = *s++;
            } else if (c >= 0x80) {
                size_t n = utf8_char((const unsigned char *)s, (const unsigned char *)end);
                if (!n)
                    goto other;
                if (out != s)
                    memmove(out, s, n);
                out += n;
                s += n;
            } else {
                goto other;  /* a control character, a CR */
            }
        }
        if (out != text) {
            if (depth == 0) {  /* outside the root: white space only */
                for (char *c = text; c < out; c++)
                    if (!IS_S(*c))
                        goto other;
            } else {
                has_text = 1;
            }
        }
        if (has_text) {
            XMLCALL_text(st, text, (int)(out - text));
            if (st->stop)
                goto done;
        }
        if (s == end)
            break;
        /* a tag: s at '<' */
        s++;
        if (s == end)
            goto other;
        if (*s == '/') {  /* an end tag */
            if (depth == 0)
                goto other;
            Open *o = &open[depth - 1];
            s++;
            if ((size_t)(end - s) < o->len + 1 || memcmp(s, o->name, o->len) != 0)
                goto other;
            s += o->len;
            while (s < end && IS_S(*s))
                s++;
            if (s == end || *s != '>')
                goto other;
            s++;
            depth--;
            XMLCALL_end(st, o->name);
            if (st->stop)
                goto done;
            continue;
        }
        if (!NAME_START[(unsigned char)*s] || (depth == 0 && seen_root))
            goto other;  /* a comment, CDATA, DOCTYPE, PI; a second root */
        char *name = s;
        while (s < end && NAME_CHAR[(unsigned char)*s])
            s++;
        if (s == end)
            goto other;
        size_t name_len = (size_t)(s - name);
        size_t max_atts = depth == 0 ? SCAN_MAX_ROOT_ATTS : SCAN_MAX_ATTS;
        size_t natts = 0;
        int empty = 0;
        char c = *s;
        *s++ = '\0';
        for (;;) {
            int spaced = 0;
            while (IS_S(c)) {
                spaced = 1;
                if (s == end)
                    goto other;
                c = *s++;
            }
            if (c == '>')
                break;
            if (c == '/') {
                if (s == end || *s != '>')
                    goto other;
                s++;
                empty = 1;
                break;
            }
            /* an attribute: s is one past its name's first byte */
            char *att = s - 1;
            if (!spaced || !NAME_START[(unsigned char)c] || natts == max_atts)
                goto other;
            while (s < end && NAME_CHAR[(unsigned char)*s])
                s++;
            if (s == end)
                goto other;
            size_t att_n = (size_t)(s - att);
            for (size_t i = 0; i < natts; i++)
                if (att_len[i] == att_n && memcmp(atts[2 * i], att, att_n) == 0)
                    goto other;  /* an attribute twice: not well-formed */
            c = *s;
            *s++ = '\0';
            while (IS_S(c)) {
                if (s == end)
                    goto other;
                c = *s++;
            }
            if (c != '=' || s == end)
                goto other;
            c = *s++;
            while (IS_S(c)) {
                if (s == end)
                    goto other;
                c = *s++;
            }
            if (c != '"' && c != '\'')
                goto other;
            char quote = c;
            char *value = s, *vout = s;
            for (;;) {
                char *run = s;
                while (s < end && !STOP_VALUE[(unsigned char)*s])
                    s++;
                if (s != run) {
                    if (vout != run)
                        memmove(vout, run, (size_t)(s - run));
                    vout += s - run;
                }
                if (s == end)
                    goto other;
                unsigned char v = (unsigned char)*s;
                if (v == (unsigned char)quote)
                    break;
                if (v == '"' || v == '\'') {
                    *vout++ = *s++;
                } else if (v == '\t' || v == '\n') {
                    *vout++ = ' ';  /* attribute-value normalization */
                    s++;
                } else if (v == '&') {
                    size_t n;
                    char ch = predefined(s, end, &n);
                    if (!ch)
                        goto other;
                    *vout++ = ch;
                    s += n;
                } else if (v >= 0x80) {
                    size_t n = utf8_char((const unsigned char *)s, (const unsigned char *)end);
                    if (!n)
                        goto other;
                    if (vout != s)
                        memmove(vout, s, n);
                    vout += n;
                    s += n;
                } else {
                    goto other;  /* '<', a control character, a CR */
                }
            }
            *vout = '\0';  /* vout <= s, which holds the closing quote */
            s++;
            atts[2 * natts] = intern(names, &nnames, att, att_n);
            atts[2 * natts + 1] = value;
            att_len[natts] = att_n;
            natts++;
            if (s == end)
                goto other;
            c = *s++;
        }
        atts[2 * natts] = NULL;
        const char *element = intern(names, &nnames, name, name_len);
        if (!empty) {
            if (depth == cap) {
                size_t more = cap ? cap * 2 : 32;
                Open *grown = PyMem_Realloc(open, more * sizeof(Open));
                if (!grown)
                    goto other;  /* expat tries, with its own memory */
                open = grown;
                cap = more;
            }
            open[depth].name = name;
            open[depth].len = name_len;
        }
        seen_root = 1;
        XMLCALL_start(st, element, atts);
        if (st->stop)
            goto done;
        if (empty) {
            XMLCALL_end(st, element);
            if (st->stop)
                goto done;
        } else {
            depth++;
        }
    }
    if (depth != 0 || !seen_root)
        goto other;
done:
    result = SCAN_DONE;
other:
    PyMem_Free(open);
    return result;
}

/* the pass's state for a new reading (the classes and their slots are kept) */
static void release(State *st) {
    for (int i = 0; i < st->nprefixes; i++)
        PyMem_Free((void *)st->prefix[i]);
    PyMem_Free(st->stack);
    PyMem_Free(st->pieces.data);
    Py_XDECREF(st->lines);
    Py_XDECREF(st->cells);
    Py_XDECREF(st->rows);
    Py_XDECREF(st->blocks);
    PyObject *Cell = st->Cell, *Row = st->Row, *Table = st->Table;
    Py_ssize_t slot[N_SLOTS];
    memcpy(slot, st->slot, sizeof slot);
    memset(st, 0, sizeof *st);
    st->Cell = Cell;
    st->Row = Row;
    st->Table = Table;
    memcpy(st->slot, slot, sizeof slot);
}

/* the blocks once a reading is over (a new reference), None, or NULL with a Python error set */
static PyObject *finish(State *st, int read) {
    if (st->error)
        return NULL;
    if (!read || st->stop || st->body_state != 2)
        return Py_NewRef(Py_None);  /* refused, or a shape lxml reads */
    if (st->cell_open && close_cell(st) < 0)
        return NULL;
    if (close_block(st) < 0)
        return NULL;
    return Py_NewRef(st->blocks);
}

enum { BOTH, EXPAT_ONLY, TOKENIZER_ONLY };  /* which readers `blocks` tries (the tests try each) */

static PyObject *fast_blocks(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer xml;
    State st;
    memset(&st, 0, sizeof st);
    int readers = BOTH;
    if (!PyArg_ParseTuple(args, "y*O!OO|i", &xml, &PyType_Type, &st.Cell, &st.Row, &st.Table, &readers))
        return NULL;
    if (find_slots(st.Cell, st.slot) < 0) {
        PyBuffer_Release(&xml);
        return NULL;
    }
    const char *content = xml.len > MAX_DOCUMENT ? NULL
                          : scan_declaration(xml.buf, (const char *)xml.buf + xml.len);
    if (!content) {
        PyBuffer_Release(&xml);
        Py_RETURN_NONE;
    }
    PyObject *result = NULL;
    if (readers != EXPAT_ONLY) {  /* first the tokenizer, on a copy it may write into */
        size_t len = (size_t)xml.len;
        char *copy = PyMem_Malloc(len + 1);
        if (!copy) {
            PyErr_NoMemory();
            goto done;
        }
        memcpy(copy, xml.buf, len);
        copy[len] = '\0';
        st.blocks = PyList_New(0);
        int scanned = st.blocks ? scan(&st, copy, len, (size_t)(content - (const char *)xml.buf)) : SCAN_OTHER;
        PyMem_Free(copy);
        if (!st.blocks)
            goto done;
        if (scanned == SCAN_DONE || readers == TOKENIZER_ONLY) {
            result = finish(&st, scanned == SCAN_DONE);
            goto done;
        }
        release(&st);  /* then expat, from the start */
    }
    st.blocks = PyList_New(0);
    /* UTF-8, whatever the document's bytes suggest (as the declaration checked above says) */
    st.parser = st.blocks ? expat->ParserCreate_MM("UTF-8", NULL, NULL) : NULL;
    if (!st.parser) {
        if (st.blocks)
            PyErr_NoMemory();
        goto done;
    }
    expat->SetUserData(st.parser, &st);
    expat->SetElementHandler(st.parser, XMLCALL_start, XMLCALL_end);
    expat->SetCharacterDataHandler(st.parser, XMLCALL_text);
    expat->SetCommentHandler(st.parser, XMLCALL_child);
    expat->SetProcessingInstructionHandler(st.parser, XMLCALL_pi);
    expat->SetStartDoctypeDeclHandler(st.parser, XMLCALL_doctype);
    enum XML_Status status = expat->Parse(st.parser, xml.buf, (int)xml.len, 1);
    expat->ParserFree(st.parser);
    st.parser = NULL;
    result = finish(&st, status == XML_STATUS_OK);
done:
    release(&st);
    PyBuffer_Release(&xml);
    return result;
}

static PyMethodDef methods[] = {
    {"blocks", fast_blocks, METH_VARARGS,
     "blocks(document_xml, Cell, Row, Table, readers=0): the body's blocks as reader._single_pass "
     "reads them, or None when the document is for lxml to read. readers: 0 the tokenizer, then "
     "expat if the tokenizer cannot read the document; 1 expat only; 2 the tokenizer only."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_fastdocx", "The single pass of the collect reader, on expat.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__fastdocx(void) {
    expat = (struct PyExpat_CAPI *)PyCapsule_Import(PyExpat_CAPSULE_NAME, 0);
    if (!expat)
        return NULL;
    if (strcmp(expat->magic, PyExpat_CAPI_MAGIC) != 0 || (size_t)expat->size < sizeof(struct PyExpat_CAPI)
            || expat->SetStartDoctypeDeclHandler == NULL) {
        PyErr_SetString(PyExc_ImportError, "pyexpat's C interface is not the one this module was built for");
        return NULL;
    }
    scan_tables();
    return PyModule_Create(&module);
}
