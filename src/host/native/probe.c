// probeSpawn: start a health probe's process inside a running container without a runtime
// process (docs/decisions/0016-probe-path.md). Included by berth-host.c.
//
// What `runc|crun exec` does for a process, in the same order, from two vfork-style clones
// that share the daemon's memory (nothing is copied; a thread-pool thread, never the event loop,
// waits until the probe has exec'd):
//   A: joins the container's cgroups (writes 0 to each cgroup.procs the daemon opened), then
//      its namespaces (setns on the /proc/PID/ns files that differ from the daemon's own), then
//      clones B with CLONE_PARENT so that B is the daemon's child (it can reap and kill it) and
//      lives in the container's PID namespace;
//   B: the rlimits, seccomp first when no_new_privs is off (loading it needs CAP_SYS_ADMIN then),
//      the capability bounding set, setgroups/setgid/setuid keeping caps, capset and ambient
//      caps, the AppArmor profile for exec, no_new_privs and seccomp last, chdir, the signal
//      defaults and mask reset, then execve of the command looked up on the container's PATH.
// Its stdin is /dev/null; stdout and stderr share one pipe (Docker keeps them together in the
// probe's output). A failure before the exec is reported through memory both clones share.
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/resource.h>

#define PROBE_NS 7
#define PROBE_MAX_CG 32
#define PROBE_MAX_RL 16
#define PROBE_STACK (64 * 1024)

struct probe {
  int ns_fd[PROBE_NS];
  int cg_fd[PROBE_MAX_CG];
  int ncg;
  uid_t uid;
  gid_t gid;
  gid_t *gids;
  size_t ngids;
  uint32_t caps[10]; // bounding, effective, permitted, inheritable, ambient: low and high 32 bits each
  int nnp;
  struct sock_fprog seccomp;
  const char *apparmor;
  struct { int res; struct rlimit lim; } rl[PROBE_MAX_RL];
  int nrl;
  const char *cwd;
  char **argv, **envp;
  int fd_in, fd_out;
  sigset_t mask;
  char *stack_b;
  // reported back
  pid_t pid;
  int err;
  const char *step;
};

static int probe_fail(struct probe *p, const char *step) {
  p->err = errno;
  p->step = step;
  return 1;
}

static int has_cap(const uint32_t *set, int cap) {
  return (set[cap / 32] >> (cap % 32)) & 1;
}

static int probe_seccomp(struct probe *p) {
  if (!p->seccomp.len) return 0;
  return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &p->seccomp) < 0 ? probe_fail(p, "seccomp") : 0;
}

// execvpe on the container's PATH (from envp, not the daemon's), as runc resolves the command.
static void probe_exec(struct probe *p) {
  const char *file = p->argv[0];
  if (strchr(file, '/')) {
    execve(file, p->argv, p->envp);
    return;
  }
  const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (char **e = p->envp; *e; e++) if (strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
  char buf[4096];
  int seen_eacces = 0;
  size_t flen = strlen(file);
  for (const char *s = path; ; ) {
    const char *end = strchrnul(s, ':');
    size_t dlen = (size_t)(end - s);
    if (dlen + flen + 2 <= sizeof buf) {
      memcpy(buf, s, dlen);
      size_t off = dlen;
      if (dlen == 0) buf[off++] = '.';
      buf[off++] = '/';
      memcpy(buf + off, file, flen + 1);
      execve(buf, p->argv, p->envp);
      if (errno == EACCES) seen_eacces = 1;
      else if (errno != ENOENT && errno != ENOTDIR) return;
    }
    if (!*end) break;
    s = end + 1;
  }
  errno = seen_eacces ? EACCES : ENOENT;
}

static int probe_b(void *arg) {
  struct probe *p = arg;
  for (int i = 0; i < p->nrl; i++) if (setrlimit(p->rl[i].res, &p->rl[i].lim) < 0) _exit(probe_fail(p, "setrlimit") + 126);
  if (!p->nnp && probe_seccomp(p)) _exit(126);
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) _exit(probe_fail(p, "prctl") + 126);
  int last = CAP_LAST_CAP;
  for (int cap = 0; cap <= 63; cap++) {
    if (has_cap(p->caps, cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
      if (errno == EINVAL && cap > last) break; // past the kernel's last capability
      _exit(probe_fail(p, "drop capability") + 126);
    }
  }
  if (chdir(p->cwd) < 0 && errno != EACCES) _exit(probe_fail(p, "chdir") + 126);
  if (syscall(SYS_setgroups, p->ngids, p->gids) < 0) _exit(probe_fail(p, "setgroups") + 126);
  if (syscall(SYS_setresgid, p->gid, p->gid, p->gid) < 0) _exit(probe_fail(p, "setgid") + 126);
  if (syscall(SYS_setresuid, p->uid, p->uid, p->uid) < 0) _exit(probe_fail(p, "setuid") + 126);
  if (chdir(p->cwd) < 0) _exit(probe_fail(p, "chdir") + 126);
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) _exit(probe_fail(p, "prctl") + 126);
  struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2];
  for (int i = 0; i < 2; i++) {
    data[i].effective = p->caps[2 + i];
    data[i].permitted = p->caps[4 + i];
    data[i].inheritable = p->caps[6 + i];
  }
  if (syscall(SYS_capset, &hdr, data) < 0) _exit(probe_fail(p, "capset") + 126);
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  for (int cap = 0; cap <= 63; cap++) {
    if (has_cap(p->caps + 8, cap) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) _exit(probe_fail(p, "ambient capability") + 126);
  }
  if (p->apparmor) {
    int fd = open("/proc/self/attr/apparmor/exec", O_WRONLY | O_CLOEXEC);
    if (fd < 0) fd = open("/proc/self/attr/exec", O_WRONLY | O_CLOEXEC);
    char buf[512];
    int n = snprintf(buf, sizeof buf, "exec %s", p->apparmor);
    if (fd < 0 || n >= (int)sizeof buf || write(fd, buf, (size_t)n) != n) _exit(probe_fail(p, "apparmor") + 126);
    close(fd);
  }
  if (p->nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) _exit(probe_fail(p, "prctl") + 126);
  if (p->nnp && probe_seccomp(p)) _exit(126);
  if (dup2(p->fd_in, 0) < 0 || dup2(p->fd_out, 1) < 0 || dup2(p->fd_out, 2) < 0) _exit(probe_fail(p, "dup2") + 126);
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; s++) if (s != SIGKILL && s != SIGSTOP) sigaction(s, &dfl, NULL);
  sigprocmask(SIG_SETMASK, &p->mask, NULL);
  probe_exec(p);
  probe_fail(p, "exec");
  _exit(p->err == ENOENT ? 127 : 126);
}

static int probe_a(void *arg) {
  struct probe *p = arg;
  for (int i = 0; i < p->ncg; i++) if (write(p->cg_fd[i], "0", 1) != 1) _exit(probe_fail(p, "join cgroup"));
  for (int i = 0; i < PROBE_NS; i++) if (p->ns_fd[i] >= 0 && setns(p->ns_fd[i], 0) < 0) _exit(probe_fail(p, "setns"));
  pid_t b = clone(probe_b, p->stack_b + PROBE_STACK, CLONE_VM | CLONE_VFORK | CLONE_PARENT | SIGCHLD, p);
  if (b < 0) _exit(probe_fail(p, "clone"));
  p->pid = b;
  _exit(0);
}

static int probe_u32_array(napi_env env, napi_value v, uint32_t *out, uint32_t n) {
  bool is_array = false;
  uint32_t len = 0;
  if (napi_is_array(env, v, &is_array) != napi_ok || !is_array || napi_get_array_length(env, v, &len) != napi_ok || len != n) return 1;
  for (uint32_t i = 0; i < n; i++) {
    napi_value el;
    napi_get_element(env, v, i, &el);
    if (napi_get_value_uint32(env, el, &out[i]) != napi_ok) return 1;
  }
  return 0;
}

struct probe_call {
  napi_async_work work;
  napi_deferred deferred;
  struct probe p;
  pid_t target;
  char **cg;
  char *apparmor, *cwd;
  gid_t gids[64];
  void *bpf;
  int out_r;
  int err;
  const char *step;
  char what[4096];
};

static void probe_call_free(struct probe_call *c) {
  string_array_free(c->cg); free(c->apparmor); free(c->cwd);
  string_array_free(c->p.argv); string_array_free(c->p.envp);
  free(c->bpf);
  free(c);
}

// On the thread pool: the joins wait on the kernel (a v1 cgroup.procs write waits for an RCU
// grace period, milliseconds), and only this thread is held until the probe has exec'd.
static void probe_execute(napi_env env, void *arg) {
  (void)env;
  struct probe_call *c = arg;
  struct probe *p = &c->p;
  int e = 0;
  const char *step = "open";
  // The user namespace first, the mount namespace last (as runc's nsexec joins them).
  static const char *names[PROBE_NS] = { "user", "ipc", "uts", "net", "pid", "cgroup", "mnt" };
  char path[64];
  for (int i = 0; i < PROBE_NS && !e; i++) {
    struct stat theirs, ours;
    snprintf(path, sizeof path, "/proc/%d/ns/%s", c->target, names[i]);
    char self[32];
    snprintf(self, sizeof self, "/proc/self/ns/%s", names[i]);
    if (stat(path, &theirs) < 0) { e = errno; snprintf(c->what, sizeof c->what, "%s", path); break; }
    if (stat(self, &ours) == 0 && ours.st_ino == theirs.st_ino && ours.st_dev == theirs.st_dev) continue;
    // The kernel refuses a process that shares its memory the way into another user namespace.
    if (i == 0) { e = ENOTSUP; step = "setns"; snprintf(c->what, sizeof c->what, "%s", path); break; }
    p->ns_fd[i] = open(path, O_RDONLY | O_CLOEXEC);
    if (p->ns_fd[i] < 0) { e = errno; snprintf(c->what, sizeof c->what, "%s", path); }
  }
  for (char **g = c->cg; g && *g && !e; g++) {
    p->cg_fd[p->ncg] = open(*g, O_WRONLY | O_CLOEXEC);
    if (p->cg_fd[p->ncg] < 0) { e = errno; snprintf(c->what, sizeof c->what, "%s", *g); }
    else p->ncg++;
  }
  int pipefd[2] = { -1, -1 };
  if (!e) {
    p->fd_in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (p->fd_in < 0 || pipe2(pipefd, O_CLOEXEC) < 0) { e = errno; snprintf(c->what, sizeof c->what, "/dev/null"); }
    p->fd_out = pipefd[1];
    c->out_r = pipefd[0];
  }
  // The clones' stacks are mapped, not malloc'd: unmapped at once, they never grow a thread
  // pool thread's malloc arena (the daemon's RSS with many probes).
  char *stack_a = NULL;
  if (!e) {
    void *m = mmap(NULL, 2 * PROBE_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (m == MAP_FAILED) e = errno;
    else { stack_a = m; p->stack_b = stack_a + PROBE_STACK; }
  }
  if (!e) {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &p->mask);
    // The probe gets the signal mask Node's main thread has: none blocked.
    sigset_t none;
    sigemptyset(&none);
    sigset_t keep = p->mask;
    p->mask = none;
    pid_t a = clone(probe_a, stack_a + PROBE_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, p);
    int status;
    if (a < 0) { e = errno; step = "clone"; }
    else while (waitpid(a, &status, __WALL) < 0 && errno == EINTR) {}
    pthread_sigmask(SIG_SETMASK, &keep, NULL);
    if (!e && p->err) {
      e = p->err;
      step = p->step;
      // B ran but failed before its exec: reap it here.
      if (p->pid > 0) while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR) {}
    }
  }
  for (int i = 0; i < PROBE_NS; i++) if (p->ns_fd[i] >= 0) close(p->ns_fd[i]);
  for (int i = 0; i < p->ncg; i++) close(p->cg_fd[i]);
  if (p->fd_in >= 0) close(p->fd_in);
  if (p->fd_out >= 0) close(p->fd_out);
  if (stack_a) munmap(stack_a, 2 * PROBE_STACK);
  if (e && c->out_r >= 0) { close(c->out_r); c->out_r = -1; }
  if (!e) fcntl(c->out_r, F_SETFL, fcntl(c->out_r, F_GETFL) | O_NONBLOCK);
  c->err = e;
  c->step = step;
}

static void probe_complete(napi_env env, napi_status status, void *arg) {
  struct probe_call *c = arg;
  if (status == napi_ok && !c->err) {
    napi_value result, jpid, jfd;
    napi_create_object(env, &result);
    napi_create_int32(env, c->p.pid, &jpid);
    napi_create_int32(env, c->out_r, &jfd);
    napi_set_named_property(env, result, "pid", jpid);
    napi_set_named_property(env, result, "fd", jfd);
    napi_resolve_deferred(env, c->deferred, result);
  } else {
    napi_reject_deferred(env, c->deferred, errno_error(env, c->err ? c->err : EIO, c->step ? c->step : "probeSpawn", c->what[0] ? c->what : NULL));
  }
  napi_delete_async_work(env, c->work);
  probe_call_free(c);
}

// probeSpawn(pid, cgroupProcs[], user[uid, gid, ...gids], caps[10], nnp, seccomp Buffer|null,
//            apparmor|null, rlimits[res, soft, hard, ...] (-1 = infinity), cwd, argv[], envp[])
//   -> Promise<{ pid, fd }>: the probe's pid (the daemon's child) and our end of its output pipe.
static napi_value js_probe_spawn(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  struct probe_call *c = calloc(1, sizeof *c);
  if (!c) { napi_throw_error(env, NULL, "out of memory"); return NULL; }
  struct probe *p = &c->p;
  for (int i = 0; i < PROBE_NS; i++) p->ns_fd[i] = -1;
  p->fd_in = p->fd_out = -1;
  c->out_r = -1;
  int bad = argc != 11;
  int32_t pid = 0;
  uint32_t ids_len = 0, rl_len = 0;
  void *bpf = NULL;
  size_t bpf_len = 0;
  bool is_array = false, nnp = false;
  if (!bad) {
    if (napi_get_value_int32(env, argv[0], &pid) != napi_ok || pid <= 0) bad = 1;
    c->cg = string_array_arg(env, argv[1], &bad);
    if (napi_is_array(env, argv[2], &is_array) != napi_ok || !is_array || napi_get_array_length(env, argv[2], &ids_len) != napi_ok || ids_len < 2 || ids_len > 66) bad = 1;
    if (!bad && probe_u32_array(env, argv[3], p->caps, 10)) bad = 1;
    if (napi_get_value_bool(env, argv[4], &nnp) != napi_ok) bad = 1;
    napi_valuetype t;
    napi_typeof(env, argv[5], &t);
    if (t != napi_null && napi_get_buffer_info(env, argv[5], &bpf, &bpf_len) != napi_ok) bad = 1;
    if (bpf_len % sizeof(struct sock_filter) || bpf_len / sizeof(struct sock_filter) > BPF_MAXINSNS) bad = 1;
    c->apparmor = string_arg(env, argv[6], &bad);
    if (napi_is_array(env, argv[7], &is_array) != napi_ok || !is_array || napi_get_array_length(env, argv[7], &rl_len) != napi_ok || rl_len % 3 || rl_len / 3 > PROBE_MAX_RL) bad = 1;
    c->cwd = string_arg(env, argv[8], &bad);
    p->argv = string_array_arg(env, argv[9], &bad);
    p->envp = string_array_arg(env, argv[10], &bad);
    if (!c->cwd || !p->argv || !p->argv[0]) bad = 1;
  }
  for (uint32_t i = 0; !bad && i < ids_len; i++) {
    napi_value el;
    uint32_t v;
    napi_get_element(env, argv[2], i, &el);
    if (napi_get_value_uint32(env, el, &v) != napi_ok) bad = 1;
    else if (i == 0) p->uid = v;
    else if (i == 1) p->gid = v;
    else c->gids[i - 2] = v;
  }
  for (uint32_t i = 0; !bad && i < rl_len / 3; i++) {
    double v[3];
    for (int k = 0; k < 3; k++) {
      napi_value el;
      napi_get_element(env, argv[7], i * 3 + k, &el);
      if (napi_get_value_double(env, el, &v[k]) != napi_ok) bad = 1;
    }
    p->rl[i].res = (int)v[0];
    p->rl[i].lim.rlim_cur = v[1] < 0 ? RLIM_INFINITY : (rlim_t)v[1];
    p->rl[i].lim.rlim_max = v[2] < 0 ? RLIM_INFINITY : (rlim_t)v[2];
  }
  uint32_t ncg = 0;
  for (char **g = c->cg; g && *g; g++) ncg++;
  if (ncg > PROBE_MAX_CG) bad = 1;
  if (!bad && bpf_len) {
    c->bpf = malloc(bpf_len);
    if (!c->bpf) bad = 1;
    else memcpy(c->bpf, bpf, bpf_len);
  }
  if (bad) {
    probe_call_free(c);
    napi_throw_type_error(env, NULL, "probeSpawn(pid, cgroupProcs, user, caps, nnp, seccomp, apparmor, rlimits, cwd, argv, envp): bad arguments");
    return NULL;
  }
  c->target = pid;
  p->gids = c->gids;
  p->ngids = ids_len - 2;
  p->nnp = nnp;
  p->seccomp.len = (unsigned short)(bpf_len / sizeof(struct sock_filter));
  p->seccomp.filter = c->bpf;
  p->apparmor = c->apparmor && *c->apparmor ? c->apparmor : NULL;
  p->nrl = (int)(rl_len / 3);
  p->cwd = c->cwd;
  return queue_work(env, probe_execute, probe_complete, c, &c->deferred, &c->work);
}
