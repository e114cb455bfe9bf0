/* The pod sandbox's pause process for the real node: holds the pod's namespaces, reaps
 * orphans, exits on SIGTERM/SIGINT. Built with `gcc -static` by images.sh (no registry here). */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void reap(int sig) {
  (void)sig;
  while (waitpid(-1, 0, WNOHANG) > 0) {
  }
}

static void quit(int sig) {
  (void)sig;
  _exit(0);
}

int main(void) {
  signal(SIGTERM, quit);
  signal(SIGINT, quit);
  signal(SIGCHLD, reap);
  for (;;) pause();
}
