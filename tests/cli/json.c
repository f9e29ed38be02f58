/*
 * json.c - a strict parser for one flat JSON object (RFC 8259), enough to
 * hold every `--format json` line to the grammar: numbers as JSON numbers,
 * strings escaped and valid UTF-8, no duplicate key, nothing after the '}'.
 * A nested object or array is refused: a result line has none.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct jp {
	const char	*s, *p;		/* the line, the next byte */
	struct jobj	*o;
};

static int
jfail(struct jp *j, const char *why)
{
	snprintf(j->o->err, sizeof(j->o->err), "byte %td: %s", j->p - j->s, why);
	return -1;
}

static void
skip_ws(struct jp *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

/* Bytes in the well-formed UTF-8 sequence at p (no overlong, no surrogate), or 0. */
static int
utf8_len(const unsigned char *p)
{
	unsigned long cp;
	int n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static int
hex4(struct jp *j, unsigned long *cp)
{
	const char *h = j->p;
	int i;

	*cp = 0;
	for (i = 0; i < 4; i++, h++) {
		if (*h >= '0' && *h <= '9')
			*cp = *cp << 4 | (unsigned long)(*h - '0');
		else if ((*h | 0x20) >= 'a' && (*h | 0x20) <= 'f')
			*cp = *cp << 4 | (unsigned long)((*h | 0x20) - 'a' + 10);
		else
			return jfail(j, "\\u needs four hex digits");
	}
	j->p = h;
	return 0;
}

/* The code point of \uXXXX (a surrogate pair as one), j->p just past the 'u'. */
static int
unicode(struct jp *j, unsigned long *cp)
{
	unsigned long lo;

	if (hex4(j, cp) != 0)
		return -1;
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return jfail(j, "lone low surrogate");
	if (*cp < 0xd800 || *cp > 0xdbff)
		return *cp == 0 ? jfail(j, "\\u0000 in a string") : 0;
	if (j->p[0] != '\\' || j->p[1] != 'u')
		return jfail(j, "high surrogate without its low half");
	j->p += 2;
	if (hex4(j, &lo) != 0)
		return -1;
	if (lo < 0xdc00 || lo > 0xdfff)
		return jfail(j, "high surrogate without its low half");
	*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
	return 0;
}

static int
utf8_put(unsigned long cp, char *buf)
{
	static const unsigned char lead[] = { 0, 0, 0xc0, 0xe0, 0xf0 };
	int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4, i;

	for (i = n - 1; i > 0; i--, cp >>= 6)
		buf[i] = (char)(0x80 | (cp & 0x3f));
	buf[0] = (char)(lead[n] | cp);
	return n;
}

/* One escape at j->p (the backslash), decoded into buf as UTF-8; its length. */
static int
escape(struct jp *j, char *buf)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;
	unsigned long cp;

	j->p++;
	if (*j->p == 'u') {
		j->p++;
		return unicode(j, &cp) != 0 ? -1 : utf8_put(cp, buf);
	}
	if (*j->p == '\0' || (e = strchr(from, *j->p)) == NULL)
		return jfail(j, "unknown escape");
	j->p++;
	buf[0] = to[e - from];
	return 1;
}

/* A string at j->p (the opening quote), decoded into out. */
static int
string(struct jp *j, char *out, size_t cap)
{
	char buf[4];
	size_t k = 0;
	int n;

	for (j->p++; *j->p != '"'; ) {
		if (*j->p == '\0')
			return jfail(j, "unterminated string");
		if ((unsigned char)*j->p < 0x20)
			return jfail(j, "raw control character in a string");
		if (*j->p == '\\') {
			if ((n = escape(j, buf)) < 0)
				return -1;
		} else if ((n = utf8_len((const unsigned char *)j->p)) == 0)
			return jfail(j, "invalid UTF-8");
		else {
			memcpy(buf, j->p, (size_t)n);
			j->p += n;
		}
		if (k + (size_t)n >= cap)
			return jfail(j, "string too long for the test");
		memcpy(out + k, buf, (size_t)n);
		k += (size_t)n;
	}
	j->p++;
	out[k] = '\0';
	return 0;
}

static void
digits(struct jp *j)
{
	while (*j->p >= '0' && *j->p <= '9')
		j->p++;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, kept as written. */
static int
number(struct jp *j, struct jfield *f)
{
	const char *s = j->p;

	if (*j->p == '-')
		j->p++;
	if (*j->p == '0')
		j->p++;
	else if (*j->p >= '1' && *j->p <= '9')
		digits(j);
	else
		return jfail(j, "not a value");
	if (*j->p == '.') {
		j->p++;
		if (*j->p < '0' || *j->p > '9')
			return jfail(j, "a digit must follow '.'");
		digits(j);
	}
	if (*j->p == 'e' || *j->p == 'E') {
		j->p++;
		if (*j->p == '+' || *j->p == '-')
			j->p++;
		if (*j->p < '0' || *j->p > '9')
			return jfail(j, "a digit must follow the exponent");
		digits(j);
	}
	if ((size_t)(j->p - s) >= sizeof(f->val))
		return jfail(j, "number too long for the test");
	memcpy(f->val, s, (size_t)(j->p - s));
	f->val[j->p - s] = '\0';
	f->type = J_NUM;
	return 0;
}

/*
 * A flat object of strings or numbers (explore's outcomes), kept as
 * "key=value;" pairs, strings decoded: jmember reads one.
 */
static int
nested(struct jp *j, struct jfield *f)
{
	struct jfield m;
	size_t at = 0;

	f->type = J_OBJ;
	f->val[0] = '\0';
	for (j->p++, skip_ws(j); *j->p != '}'; skip_ws(j)) {
		if (at > 0 && *j->p++ != ',')
			return jfail(j, "expected ',' in an object");
		skip_ws(j);
		if (*j->p != '"' || string(j, m.key, sizeof(m.key)) != 0)
			return jfail(j, "expected a key in an object");
		skip_ws(j);
		if (*j->p++ != ':')
			return jfail(j, "expected ':' in an object");
		skip_ws(j);
		if (*j->p == '"' ? string(j, m.val, sizeof(m.val)) != 0 :
		    number(j, &m) != 0)
			return -1;
		at += (size_t)snprintf(f->val + at, sizeof(f->val) > at ?
		    sizeof(f->val) - at : 0, "%s=%s;", m.key, m.val);
		if (at >= sizeof(f->val))
			return jfail(j, "object too long for the test");
	}
	j->p++;
	return 0;
}

static int
value(struct jp *j, struct jfield *f)
{
	static const struct {
		const char	*word;
		enum jtype	 type;
	} lit[] = { { "true", J_BOOL }, { "false", J_BOOL }, { "null", J_NULL } };
	size_t i;

	if (*j->p == '"') {
		f->type = J_STR;
		return string(j, f->val, sizeof(f->val));
	}
	if (*j->p == '{')
		return nested(j, f);
	if (*j->p == '[')
		return jfail(j, "an array in a result line");
	for (i = 0; i < NELEM(lit); i++) {
		if (strncmp(j->p, lit[i].word, strlen(lit[i].word)) == 0) {
			j->p += strlen(lit[i].word);
			strlcpy(f->val, lit[i].word, sizeof(f->val));
			f->type = lit[i].type;
			return 0;
		}
	}
	return number(j, f);
}

/* "key": value, appended to the object. */
static int
member(struct jp *j)
{
	struct jfield *f;

	if (j->o->n == (int)NELEM(j->o->f))
		return jfail(j, "too many members for the test");
	f = &j->o->f[j->o->n];
	if (*j->p != '"')
		return jfail(j, "expected a key");
	if (string(j, f->key, sizeof(f->key)) != 0)
		return -1;
	if (json_get(j->o, f->key) != NULL)
		return jfail(j, "duplicate key");
	skip_ws(j);
	if (*j->p != ':')
		return jfail(j, "expected ':'");
	j->p++;
	skip_ws(j);
	if (value(j, f) != 0)
		return -1;
	j->o->n++;
	return 0;
}

/* 0 if line is exactly one flat JSON object (members in o), else -1 and o->err. */
int
json_object(const char *line, struct jobj *o)
{
	struct jp j;

	memset(o, 0, sizeof(*o));
	j = (struct jp){ line, line, o };
	skip_ws(&j);
	if (*j.p != '{')
		return jfail(&j, "not an object");
	j.p++;
	skip_ws(&j);
	while (*j.p != '}') {
		if (member(&j) != 0)
			return -1;
		skip_ws(&j);
		if (*j.p == ',') {
			j.p++;
			skip_ws(&j);
			if (*j.p == '}')
				return jfail(&j, "trailing comma");
		} else if (*j.p != '}')
			return jfail(&j, "expected ',' or '}'");
	}
	j.p++;
	skip_ws(&j);
	return *j.p == '\0' ? 0 : jfail(&j, "text after the object");
}

const struct jfield *
json_get(const struct jobj *o, const char *key)
{
	int i;

	for (i = 0; i < o->n; i++)
		if (strcmp(o->f[i].key, key) == 0)
			return &o->f[i];
	return NULL;
}

/* A count: a JSON number written as a non-negative integer, or the test fails. */
/* A member that must be a number, as a double (ops/s and the like). */
double
jdbl(const struct jobj *o, const char *key)
{
	const struct jfield *f = json_get(o, key);
	char *end;
	double v;

	ck_assert_msg(f != NULL && f->type == J_NUM, "no number '%s'", key);
	v = strtod(f->val, &end);
	ck_assert_msg(*end == '\0', "'%s' is %s, not a number", key, f->val);
	return v;
}

uint64_t
jnum(const struct jobj *o, const char *key)
{
	const struct jfield *f = json_get(o, key);
	char *end;
	uint64_t v;

	ck_assert_msg(f != NULL && f->type == J_NUM, "no number '%s'", key);
	errno = 0;
	v = strtoull(f->val, &end, 10);
	ck_assert_msg(f->val[0] != '-' && *end == '\0' && errno == 0,
	    "'%s' is %s, not a count", key, f->val);
	return v;
}

const char *
jstr(const struct jobj *o, const char *key)
{
	const struct jfield *f = json_get(o, key);

	ck_assert_msg(f != NULL && f->type == J_STR, "no string '%s'", key);
	return f->val;
}

int
jbool(const struct jobj *o, const char *key)
{
	const struct jfield *f = json_get(o, key);

	ck_assert_msg(f != NULL && f->type == J_BOOL, "no boolean '%s'", key);
	return strcmp(f->val, "true") == 0;
}

/* Member m of the object at key (outcomes, shortest), into buf; NULL if absent. */
const char *
jmember(const struct jobj *o, const char *key, const char *m, char *buf,
    size_t len)
{
	const struct jfield *f = json_get(o, key);
	const char *at, *end;
	char want[48];

	ck_assert_msg(f != NULL && f->type == J_OBJ, "no object '%s'", key);
	snprintf(want, sizeof(want), "%s=", m);
	for (at = f->val; (at = strstr(at, want)) != NULL; at++)
		if (at == f->val || at[-1] == ';')
			break;
	if (at == NULL)
		return NULL;
	at += strlen(want);
	end = strchr(at, ';');
	snprintf(buf, len, "%.*s", (int)(end - at), at);
	return buf;
}

/* The parser itself: what it must take, and what it must refuse. */
static const struct {
	const char	*line;
	int		 ok;
} samples[] = {
	{ "{\"a\":1,\"b\":-0.5e+3,\"c\":\"x\\\"\\\\\\/\\n\\u00e9\\ud83d\\ude00\","
	  "\"d\":true,\"e\":null,\"f\":\"\xc3\xa9\"}", 1 },
	{ " { } ", 1 },
	{ "{\"a\":01}", 0 },
	{ "{\"a\":1.}", 0 },
	{ "{\"a\":.5}", 0 },
	{ "{\"a\":+1}", 0 },
	{ "{\"a\":\"1\"x}", 0 },
	{ "{\"a\":1,}", 0 },
	{ "{\"a\":1}x", 0 },
	{ "{\"a\":1,\"a\":2}", 0 },
	{ "{\"a\":\"\\q\"}", 0 },
	{ "{\"a\":\"\\u12\"}", 0 },
	{ "{\"a\":\"\\ud800\"}", 0 },
	{ "{\"a\":\"tab\there\"}", 0 },
	{ "{\"a\":\"\xc3(\"}", 0 },
	{ "{\"a\":\"\xc0\xaf\"}", 0 },
	{ "{\"a\":nan}", 0 },
	{ "{\"a\":True}", 0 },
	{ "{\"a\":[1]}", 0 },
	{ "{\"a\":{\"2\":32,\"3\":\"0,1\"}}", 1 },
	{ "{\"a\":{}}", 1 },
	{ "{\"a\":{\"2\":32,}}", 0 },
	{ "{\"a\":{\"2\":{}}}", 0 },
	{ "{\"a\":{2:3}}", 0 },
	{ "{a:1}", 0 },
	{ "{\"a\" 1}", 0 },
	{ "{\"a\":1", 0 },
	{ "{\"a\":\"x", 0 },
	{ "[1]", 0 },
	{ "", 0 },
};

START_TEST(json_parser)
{
	static struct jobj o;
	int rc = json_object(samples[_i].line, &o);

	ck_assert_msg((rc == 0) == samples[_i].ok, "'%s': %s", samples[_i].line,
	    rc == 0 ? "taken" : o.err);
	if (_i != 0)
		return;
	ck_assert_int_eq(o.n, 6);
	ck_assert_uint_eq(jnum(&o, "a"), 1);
	ck_assert_str_eq(json_get(&o, "b")->val, "-0.5e+3");
	ck_assert_str_eq(jstr(&o, "c"), "x\"\\/\n\xc3\xa9\xf0\x9f\x98\x80");
	ck_assert_int_eq(jbool(&o, "d"), 1);
	ck_assert_int_eq(json_get(&o, "e")->type, J_NULL);
	ck_assert_str_eq(jstr(&o, "f"), "\xc3\xa9");
}
END_TEST

Suite *
cli_json_suite(void)
{
	Suite *s = suite_create("cli_json");
	TCase *tc = tcase_in(s, "parser", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, json_parser, 0, (int)NELEM(samples));
	return s;
}
