/*
 * main.c - shmsync: synchronization between processes over POSIX shared
 * memory, side by side with the same code run as threads.
 *
 * Looks the subcommand up in the command table (cmd.c) and runs it.  Exit
 * status: 0 done as expected, 1 an invariant broke or a worker failed, 2
 * usage error, 128+N killed by signal N.
 */
#include <stdlib.h>
#include <unistd.h>

#include "run.h"

int
main(int argc, char *argv[], char *envp[])
{
	static char obuf[1 << 16];
	const struct cmd_entry *c;

	/* Workers retitle themselves (setproctitle): make room in argv now. */
	setproctitle_init(argc, argv, envp);
	run_launcher_init();
	/* One write for a help or a table, so that a failed one keeps its errno. */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	if (argc < 2)
		usage_error(NULL, "missing demo; '%s list' shows them, '%s --help' "
		    "explains", getprogname(), getprogname());
	if ((c = cmd_find(argv[1])) == NULL)
		usage_error(NULL, "unknown demo '%s'%s; '%s list' shows them",
		    argv[1], near_command(argv[1], 0), getprogname());
	return c->exec(c, argc - 1, argv + 1);
}
