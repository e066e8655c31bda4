#include "args.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Nested -options_file deeper than this is a loop. */
#define MAX_DEPTH 8

typedef struct {
  char  *msg;
  size_t len;
  char   where[512]; /* "FILE:LINE: " inside an options file, "" on the command line */
} Check;

static int Fail(Check *c, const char *fmt, ...)
{
  va_list ap;
  size_t  at = (size_t)snprintf(c->msg, c->len, "%s", c->where);
  va_start(ap, fmt);
  if (at < c->len) vsnprintf(c->msg + at, c->len - at, fmt, ap);
  va_end(ap);
  return 2;
}

/* An option name: a dash and a letter. "-1", "-.5" are (negative) values. */
static int IsOption(const char *w) { return w[0] == '-' && (isalpha((unsigned char)w[1]) || w[1] == '-' || w[1] == '_'); }

/* The list v without its empty items (and spaces), for the message's fix. */
static void Tidy(const char *v, char *out, size_t len)
{
  size_t at = 0;
  for (const char *p = v; *p && at + 1 < len; p++) {
    if (*p == ' ' || (*p == ',' && (at == 0 || out[at - 1] == ','))) continue;
    out[at++] = *p;
  }
  while (at > 0 && out[at - 1] == ',') at--;
  out[at] = 0;
}

static int CheckFile(Check *c, const char *path, int depth);

static int IsExpr(const char *name)
{
  size_t n = strlen(name);
  return n > 5 && !strcmp(name + n - 5, "_expr");
}

/* One option name and its value (NULL: none), then the words that follow it on the same line
 * (rest[0..nrest)), which no option claims. */
static int CheckOption(Check *c, const char *name, const char *value, char **rest, int nrest, int depth)
{
  char fix[1024];
  if (name[1] == '-') return Fail(c, "%s: options take one dash; write %s", name, name + 1);
  if (strchr(name, '=')) {
    char opt[256];
    snprintf(opt, sizeof opt, "%.*s", (int)(strchr(name, '=') - name), name);
    return Fail(c, "%s: options take no '='; write %s %s", name, opt, strchr(name, '=') + 1);
  }
  if (value && value[0] == '=') return Fail(c, "%s %s: options take no '='; write %s %s", name, value, name, value[1] ? value + 1 : nrest ? rest[0] : "VALUE");
  if (value && value[strlen(value) - 1] == ',' && nrest) {
    snprintf(fix, sizeof fix, "%s%s", value, rest[0]);
    return Fail(c, "%s %s %s: lists take no spaces; write %s %s", name, value, rest[0], name, fix);
  }
  if (nrest) return Fail(c, "stray argument '%s' after %s%s%s: each option takes one value (lists take no spaces, e.g. %s 8,16)", rest[0], name, value ? " " : "", value ? value : "", name);
  /* an expression (-R_expr "5 * sqrt(d)") may have blanks; muParser ignores them */
  if (value && strchr(value, ' ') && !IsExpr(name)) {
    Tidy(value, fix, sizeof fix);
    return Fail(c, "%s '%s': lists take no spaces; write %s %s", name, value, name, fix);
  }
  if (value && (strstr(value, ",,") || value[0] == ',' || value[strlen(value) - 1] == ',')) {
    Tidy(value, fix, sizeof fix);
    return Fail(c, "%s %s: empty item in the list; write %s %s", name, value, name, fix);
  }
  if (!strcmp(name, "-options_file") && value) {
    if (depth >= MAX_DEPTH) return Fail(c, "-options_file %s: options files nest more than %d deep (a loop?)", value, MAX_DEPTH);
    return CheckFile(c, value, depth + 1);
  }
  return 0;
}

/* Words as on a command line: each option name followed by at most one value. */
static int CheckWords(Check *c, int n, char **w, int depth)
{
  int i = 0;
  if (n > 0 && !IsOption(w[0])) return Fail(c, "stray argument '%s': every value follows its option name (e.g. -grid_d 8,16)", w[0]);
  while (i < n) {
    int j = i + 1, rc;
    while (j < n && !IsOption(w[j])) j++;
    rc = CheckOption(c, w[i], j > i + 1 ? w[i + 1] : NULL, w + i + 2, j > i + 2 ? j - i - 2 : 0, depth);
    if (rc) return rc;
    i = j;
  }
  return 0;
}

/* An options file: a line is blank, a comment (#), or "-name [value]". Unreadable files are
 * left to the caller's own check, which names them. */
static int CheckFile(Check *c, const char *path, int depth)
{
  char  line[16384], where[sizeof c->where];
  FILE *f = fopen(path, "r");
  int   lineno = 0, rc = 0;

  if (!f) return 0;
  memcpy(where, c->where, sizeof where);
  while (!rc && fgets(line, sizeof line, f)) {
    char *words[64], *save = NULL, *hash = strchr(line, '#');
    int   n = 0;
    lineno++;
    if (hash) *hash = 0;
    for (char *t = strtok_r(line, " \t\r\n", &save); t && n < 64; t = strtok_r(NULL, " \t\r\n", &save)) words[n++] = t;
    if (!n) continue;
    snprintf(c->where, sizeof c->where, "%s:%d: ", path, lineno);
    if (!IsOption(words[0])) rc = Fail(c, "'%s' does not start with an option name; write -%s%s%s", words[0], words[0][0] == '-' ? words[0] + 1 : words[0], n > 1 ? " " : "", n > 1 ? words[1] : "");
    else rc = CheckWords(c, n, words, depth);
  }
  fclose(f);
  if (!rc) memcpy(c->where, where, sizeof where);
  return rc;
}

int ICLArgsCheck(int n, char **words, char *msg, size_t len)
{
  Check c = {.msg = msg, .len = len, .where = ""};
  msg[0]  = 0;
  return CheckWords(&c, n, words, 0);
}
