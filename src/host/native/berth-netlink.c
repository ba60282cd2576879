// berth's rtnetlink calls: a container's veth wired to a bridge, and an interface deleted, without
// an ip(8) process (each costs 5-10 ms on a quiet machine and 60-160 ms on a loaded one, the kernel's
// own work well under that). Each call runs on libuv's thread pool and settles a promise.
// A namespace is entered only by a short-lived thread made for it, which opens the netlink socket
// there and exits: no pool thread ever changes namespace. docs/decisions/0018 says why.
#define _GNU_SOURCE
#include <errno.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

enum op { OP_WIRE, OP_DELETE };

struct nl_call {
  napi_async_work work;
  napi_deferred deferred;
  enum op op;
  char host[IFNAMSIZ], peer[IFNAMSIZ], bridge[IFNAMSIZ];
  char netns[256];
  unsigned char mac[6];
  struct in_addr ip, gateway;
  int prefix_len, has_gateway;
  unsigned mtu;
  int err;
  const char *step; // what failed, for the error's message
  int missing;      // OP_DELETE: the interface did not exist
};

// A socket of `family` in the namespace at `path`, or in the daemon's own for NULL.
struct ns_socket { const char *path; int family, type, proto, fd, err; };

static void *ns_socket_thread(void *arg) {
  struct ns_socket *s = arg;
  int ns = open(s->path, O_RDONLY | O_CLOEXEC);
  if (ns < 0) { s->err = errno; return NULL; }
  // this thread alone enters the namespace, and exits right after
  if (setns(ns, CLONE_NEWNET) < 0) { s->err = errno; close(ns); return NULL; }
  close(ns);
  s->fd = socket(s->family, s->type | SOCK_CLOEXEC, s->proto);
  if (s->fd < 0) s->err = errno;
  return NULL;
}

static int open_socket(const char *netns, int family, int type, int proto) {
  if (!netns) {
    int fd = socket(family, type | SOCK_CLOEXEC, proto);
    return fd < 0 ? -errno : fd;
  }
  struct ns_socket s = { netns, family, type, proto, -1, 0 };
  pthread_t t;
  int rc = pthread_create(&t, NULL, ns_socket_thread, &s);
  if (rc) return -rc;
  pthread_join(t, NULL);
  return s.fd >= 0 ? s.fd : -s.err;
}

struct msg { struct nlmsghdr h; char room[1024 - sizeof(struct nlmsghdr)]; };

static void msg_init(struct msg *m, int type, int flags, const void *head, size_t len) {
  memset(m, 0, sizeof *m);
  m->h.nlmsg_len = NLMSG_LENGTH(len);
  m->h.nlmsg_type = type;
  m->h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  memcpy(NLMSG_DATA(&m->h), head, len);
}

// Append an attribute; returns it (to close a nest), or NULL when the message is full.
static struct rtattr *put(struct msg *m, int type, const void *data, size_t len) {
  size_t at = NLMSG_ALIGN(m->h.nlmsg_len);
  if (at + RTA_SPACE(len) > sizeof *m) return NULL;
  struct rtattr *a = (struct rtattr *)((char *)m + at);
  a->rta_type = type;
  a->rta_len = RTA_LENGTH(len);
  if (len) memcpy(RTA_DATA(a), data, len);
  m->h.nlmsg_len = at + RTA_SPACE(len);
  return a;
}

static void nest_end(struct msg *m, struct rtattr *a) {
  a->rta_len = (char *)m + m->h.nlmsg_len - (char *)a;
}

static unsigned seq;

// Send one request and wait for its acknowledgement: 0 or -errno.
static int talk(int fd, struct msg *m) {
  m->h.nlmsg_seq = __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
  struct sockaddr_nl to = { .nl_family = AF_NETLINK };
  if (sendto(fd, m, m->h.nlmsg_len, 0, (struct sockaddr *)&to, sizeof to) < 0) return -errno;
  char buf[8192] __attribute__((aligned(4)));
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    int left = (int)n;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
      if (h->nlmsg_seq != m->h.nlmsg_seq || h->nlmsg_type != NLMSG_ERROR) continue;
      return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
    }
  }
}

static int ifindex(int sock, const char *name) {
  struct ifreq r;
  memset(&r, 0, sizeof r);
  strncpy(r.ifr_name, name, IFNAMSIZ - 1);
  return ioctl(sock, SIOCGIFINDEX, &r) < 0 ? -errno : r.ifr_ifindex;
}

#define FAIL(what, rc) do { c->step = (what); c->err = -(rc); goto out; } while (0)

// ip link add <host> type veth peer name <peer> address <mac> netns <ns>; master <bridge> up;
// then in the namespace: lo up, the address, the default route. The pair is made with its
// container end already in the namespace (a crash half-way leaves nothing its deletion misses).
static void wire(struct nl_call *c) {
  int nl = -1, inet = -1, nsnl = -1, nsinet = -1, nsfd = -1, rc;
  struct msg m;
  nl = open_socket(NULL, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
  if (nl < 0) FAIL("socket", nl);
  inet = open_socket(NULL, AF_INET, SOCK_DGRAM, 0);
  if (inet < 0) FAIL("socket", inet);
  int bridge = ifindex(inet, c->bridge);
  if (bridge < 0) FAIL("bridge", bridge);
  nsfd = open(c->netns, O_RDONLY | O_CLOEXEC);
  if (nsfd < 0) FAIL("netns", -errno);

  struct ifinfomsg up = { .ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
  msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &up, sizeof up);
  put(&m, IFLA_IFNAME, c->host, strlen(c->host) + 1);
  if (c->mtu) put(&m, IFLA_MTU, &c->mtu, 4);
  put(&m, IFLA_MASTER, &bridge, 4);
  struct rtattr *info = put(&m, IFLA_LINKINFO, NULL, 0);
  put(&m, IFLA_INFO_KIND, "veth", 4);
  struct rtattr *data = put(&m, IFLA_INFO_DATA, NULL, 0);
  // the peer comes up in the namespace below: veth refuses it up before the pair is joined
  struct ifinfomsg down = { .ifi_family = AF_UNSPEC };
  struct rtattr *peer = put(&m, VETH_INFO_PEER, &down, sizeof down);
  put(&m, IFLA_IFNAME, c->peer, strlen(c->peer) + 1);
  put(&m, IFLA_ADDRESS, c->mac, 6);
  uint32_t ns = (uint32_t)nsfd;
  if (c->mtu) put(&m, IFLA_MTU, &c->mtu, 4);
  if (!put(&m, IFLA_NET_NS_FD, &ns, 4)) FAIL("veth", -EMSGSIZE);
  nest_end(&m, peer);
  nest_end(&m, data);
  nest_end(&m, info);
  if ((rc = talk(nl, &m)) < 0) FAIL("veth", rc);

  nsnl = open_socket(c->netns, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
  if (nsnl < 0) FAIL("netns", nsnl);
  nsinet = open_socket(c->netns, AF_INET, SOCK_DGRAM, 0);
  if (nsinet < 0) FAIL("netns", nsinet);
  int lo = ifindex(nsinet, "lo");
  if (lo < 0) FAIL("lo", lo);
  struct ifinfomsg lo_up = { .ifi_family = AF_UNSPEC, .ifi_index = lo, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
  msg_init(&m, RTM_NEWLINK, 0, &lo_up, sizeof lo_up);
  if ((rc = talk(nsnl, &m)) < 0) FAIL("lo", rc);
  int index = ifindex(nsinet, c->peer);
  if (index < 0) FAIL("peer", index);
  struct ifaddrmsg a = { .ifa_family = AF_INET, .ifa_prefixlen = (unsigned char)c->prefix_len, .ifa_scope = RT_SCOPE_UNIVERSE, .ifa_index = (unsigned)index };
  msg_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &a, sizeof a);
  put(&m, IFA_LOCAL, &c->ip, 4);
  put(&m, IFA_ADDRESS, &c->ip, 4);
  if ((rc = talk(nsnl, &m)) < 0) FAIL("address", rc);
  struct ifinfomsg peer_up = { .ifi_family = AF_UNSPEC, .ifi_index = index, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
  msg_init(&m, RTM_NEWLINK, 0, &peer_up, sizeof peer_up);
  if ((rc = talk(nsnl, &m)) < 0) FAIL("up", rc);
  if (c->has_gateway) {
    struct rtmsg r = { .rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_BOOT, .rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST };
    msg_init(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &r, sizeof r);
    put(&m, RTA_GATEWAY, &c->gateway, 4);
    put(&m, RTA_OIF, &index, 4);
    if ((rc = talk(nsnl, &m)) < 0) FAIL("route", rc);
  }
out:
  if (nl >= 0) close(nl);
  if (inet >= 0) close(inet);
  if (nsnl >= 0) close(nsnl);
  if (nsinet >= 0) close(nsinet);
  if (nsfd >= 0) close(nsfd);
}

// ip [-n <ns>] link delete <host>; a missing interface is reported, not an error.
static void delete_link(struct nl_call *c) {
  int nl = open_socket(c->netns[0] ? c->netns : NULL, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE), rc;
  struct msg m;
  if (nl < 0) FAIL("socket", nl);
  struct ifinfomsg i = { .ifi_family = AF_UNSPEC };
  msg_init(&m, RTM_DELLINK, 0, &i, sizeof i);
  put(&m, IFLA_IFNAME, c->host, strlen(c->host) + 1);
  rc = talk(nl, &m);
  if (rc == -ENODEV) c->missing = 1;
  else if (rc < 0) FAIL("delete", rc);
out:
  if (nl >= 0) close(nl);
}

static void execute(napi_env env, void *arg) {
  (void)env;
  struct nl_call *c = arg;
  if (c->op == OP_WIRE) wire(c);
  else delete_link(c);
}

static void complete(napi_env env, napi_status status, void *arg) {
  struct nl_call *c = arg;
  if (status == napi_ok && c->err == 0) {
    napi_value v;
    napi_get_boolean(env, !c->missing, &v);
    napi_resolve_deferred(env, c->deferred, v);
  } else {
    int e = status == napi_ok ? c->err : ECANCELED;
    const char *name = strerrorname_np(e);
    char text[512];
    snprintf(text, sizeof text, "%s: %s, netlink %s of %s", name ? name : "EUNKNOWN", strerror(e), c->step ? c->step : "call", c->host);
    napi_value code, msg, err, num;
    napi_create_string_utf8(env, name ? name : "EUNKNOWN", NAPI_AUTO_LENGTH, &code);
    napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, code, msg, &err);
    napi_create_int32(env, -e, &num);
    napi_set_named_property(env, err, "errno", num);
    napi_reject_deferred(env, c->deferred, err);
  }
  napi_delete_async_work(env, c->work);
  free(c);
}

napi_value queue_work(napi_env env, napi_async_execute_callback run, napi_async_complete_callback done, void *data, napi_deferred *deferred, napi_async_work *work);

static napi_value queue(napi_env env, struct nl_call *c) {
  return queue_work(env, execute, complete, c, &c->deferred, &c->work);
}

// Copy a string argument into `out` (size `cap`, NUL included); null/undefined gives "". 0 on success.
static int str_arg(napi_env env, napi_value v, char *out, size_t cap) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return -1;
  if (t == napi_null || t == napi_undefined) { out[0] = 0; return 0; }
  if (t != napi_string) return -1;
  size_t len;
  napi_get_value_string_utf8(env, v, NULL, 0, &len);
  if (len + 1 > cap) return -1;
  napi_get_value_string_utf8(env, v, out, cap, &len);
  return strlen(out) == len ? 0 : -1;
}

static napi_value type_error(napi_env env, const char *what) {
  napi_throw_type_error(env, NULL, what);
  return NULL;
}

// wireVeth(host, peer, mac, netnsPath, bridge, mtu, ip, prefixLen, gateway | null)
static napi_value js_wire(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 9) return type_error(env, "wireVeth takes 9 arguments");
  struct nl_call *c = calloc(1, sizeof *c);
  if (!c) return type_error(env, "out of memory");
  c->op = OP_WIRE;
  char mac[32], ip[32], gw[32];
  double mtu, prefix;
  int bad = str_arg(env, argv[0], c->host, sizeof c->host) || str_arg(env, argv[1], c->peer, sizeof c->peer)
    || str_arg(env, argv[2], mac, sizeof mac) || str_arg(env, argv[3], c->netns, sizeof c->netns)
    || str_arg(env, argv[4], c->bridge, sizeof c->bridge) || napi_get_value_double(env, argv[5], &mtu) != napi_ok
    || str_arg(env, argv[6], ip, sizeof ip) || napi_get_value_double(env, argv[7], &prefix) != napi_ok
    || str_arg(env, argv[8], gw, sizeof gw);
  unsigned m[6];
  char tail;
  if (!bad) bad = sscanf(mac, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5], &tail) != 6;
  if (!bad) bad = !c->host[0] || !c->peer[0] || !c->bridge[0] || c->netns[0] != '/' || mtu < 0 || mtu > 65535 || prefix < 0 || prefix > 32
    || inet_pton(AF_INET, ip, &c->ip) != 1 || (gw[0] && inet_pton(AF_INET, gw, &c->gateway) != 1);
  if (bad) {
    free(c);
    return type_error(env, "wireVeth: invalid arguments");
  }
  for (int i = 0; i < 6; i++) c->mac[i] = (unsigned char)m[i];
  c->mtu = (unsigned)mtu;
  c->prefix_len = (int)prefix;
  c->has_gateway = gw[0] != 0;
  return queue(env, c);
}

// deleteLink(netnsPath | null, name): resolves true when deleted, false when there was none
static napi_value js_delete(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  struct nl_call *c = calloc(1, sizeof *c);
  if (!c) return type_error(env, "out of memory");
  c->op = OP_DELETE;
  if (argc != 2 || str_arg(env, argv[0], c->netns, sizeof c->netns) || str_arg(env, argv[1], c->host, sizeof c->host)
      || !c->host[0] || (c->netns[0] && c->netns[0] != '/')) {
    free(c);
    return type_error(env, "deleteLink: invalid arguments");
  }
  return queue(env, c);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "wireVeth", NULL, js_wire, NULL, NULL, NULL, napi_default, NULL },
    { "deleteLink", NULL, js_delete, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
