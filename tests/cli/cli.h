/*
 * cli.h - what the end-to-end files share: the per-run expectations, a
 * strict parser for one JSON Lines object (json.c), and each file's TCase.
 */
#ifndef TESTS_CLI_CLI_H
#define TESTS_CLI_CLI_H

#include <stdint.h>

#include "../tests.h"

#define CLI_TIMEOUT	30	/* seconds per test; most runs bound theirs with -T */
#define MAX_ROWS	16	/* result lines one command may print */

enum jtype { J_STR, J_NUM, J_BOOL, J_NULL };

/* One member: a string decoded, anything else as written. */
struct jfield {
	char		key[32];
	enum jtype	type;
	char		val[256];
};

struct jobj {
	int		n;
	struct jfield	f[48];
	char		err[96];	/* why the line is not a JSON object */
};

int		 json_object(const char *, struct jobj *);
const struct jfield *json_get(const struct jobj *, const char *);

void		 expect(struct cmd *, int);
int		 run_json(struct cmd *, struct jobj *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
uint64_t	 jnum(const struct jobj *, const char *);
const char	*jstr(const struct jobj *, const char *);
int		 jbool(const struct jobj *, const char *);

TCase		*json_tcase(void);
TCase		*format_tcase(void);
TCase		*help_tcase(void);
TCase		*badinput_tcase(void);
TCase		*names_tcase(void);

#endif /* TESTS_CLI_CLI_H */
