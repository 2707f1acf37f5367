/*
 * A sub-millisecond timer on the event loop's own thread (Linux): a timerfd with a
 * nanosecond deadline, watched by the loop's epoll like any socket. Node's timers count whole
 * milliseconds; without this the toolkit wakes a helper thread that sleeps in Atomics.wait and
 * then wakes the loop, two thread wake-ups per deadline where one suffices (see
 * src/timing/native-timer.ts for what that costs and docs/ARCHITECTURE.md for the choice).
 *
 * JS API (one timer per call to create; any number per thread):
 *   create(callback) -> handle    callback() runs on this thread when an armed deadline passes
 *   arm(handle, delayMs)          fire once after delayMs (<= 0: at once); Infinity/NaN: disarm
 *   close(handle)
 * An armed timer keeps the process alive, as a pending setTimeout does; a disarmed one not.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <node_api.h>
#include <uv.h>

typedef struct {
  int fd;
  int closed;       /* close() or the environment's end: the fd and the poll are being shut */
  int poll_closed;  /* libuv has let go of the poll handle */
  int collected;    /* the JS handle was garbage-collected */
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context async;
} precise_timer;

#define CHECK(env, call)                                        \
  do {                                                          \
    if ((call) != napi_ok) {                                    \
      napi_throw_error((env), "ERR_PRECISE_TIMER", #call " failed"); \
      return NULL;                                              \
    }                                                           \
  } while (0)

static void on_readable(uv_poll_t *poll, int status, int events) {
  (void)status;
  (void)events;
  precise_timer *t = poll->data;
  uint64_t expirations;
  /* Non-blocking: EAGAIN when a re-arm raced the wake-up; the callback decides anyway. */
  if (read(t->fd, &expirations, sizeof expirations) < 0 && errno != EAGAIN) return;
  /* A one-shot that fired is disarmed: it no longer keeps the process alive. */
  uv_unref((uv_handle_t *)&t->poll);
  napi_env env = t->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value callback, global, result;
  if (napi_get_reference_value(env, t->callback, &callback) == napi_ok &&
      napi_get_global(env, &global) == napi_ok &&
      napi_make_callback(env, t->async, global, callback, 0, NULL, &result) ==
          napi_pending_exception) {
    /* As from any callback of the loop: to process.on('uncaughtException'). */
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
  napi_close_handle_scope(env, scope);
}

/* Freed once both libuv and the JS handle have let go, whichever comes last. */
static void on_closed(uv_handle_t *handle) {
  precise_timer *t = handle->data;
  t->poll_closed = 1;
  if (t->collected) free(t);
}

static void shut(precise_timer *t) {
  if (t->closed) return;
  t->closed = 1;
  /* uv_close stops the poll and drops the fd from epoll at once (only its callback waits), so
   * the fd can be closed right after: no other handle can be given its number in between. */
  uv_close((uv_handle_t *)&t->poll, on_closed);
  close(t->fd);
  napi_delete_reference(t->env, t->callback);
  napi_async_destroy(t->env, t->async);
}

/* The thread's environment is going away (a worker thread ends) with the timer still open. */
static void on_env_cleanup(void *arg) { shut(arg); }

static void on_collected(napi_env env, void *data, void *hint) {
  (void)hint;
  precise_timer *t = data;
  t->collected = 1;
  if (!t->closed) {
    napi_remove_env_cleanup_hook(env, on_env_cleanup, t);
    shut(t);
  }
  if (t->poll_closed) free(t);
}

static precise_timer *unwrap(napi_env env, napi_value handle) {
  void *p = NULL;
  if (napi_get_value_external(env, handle, &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, "ERR_PRECISE_TIMER", "not a timer handle");
    return NULL;
  }
  precise_timer *t = p;
  if (t->closed) {
    napi_throw_error(env, "ERR_PRECISE_TIMER", "timer closed");
    return NULL;
  }
  return t;
}

static napi_value create(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_valuetype type = napi_undefined;
  if (argc >= 1) CHECK(env, napi_typeof(env, argv[0], &type));
  if (type != napi_function) {
    napi_throw_type_error(env, "ERR_PRECISE_TIMER", "create(callback) needs a function");
    return NULL;
  }
  uv_loop_t *loop;
  CHECK(env, napi_get_uv_event_loop(env, &loop));
  precise_timer *t = calloc(1, sizeof *t);
  if (t == NULL) {
    napi_throw_error(env, "ERR_PRECISE_TIMER", "out of memory");
    return NULL;
  }
  t->env = env;
  t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (t->fd < 0 || uv_poll_init(loop, &t->poll, t->fd) != 0) {
    if (t->fd >= 0) close(t->fd);
    free(t);
    napi_throw_error(env, "ERR_PRECISE_TIMER", "timerfd unavailable");
    return NULL;
  }
  t->poll.data = t;
  napi_value name;
  CHECK(env, napi_create_string_utf8(env, "PreciseTimer", NAPI_AUTO_LENGTH, &name));
  CHECK(env, napi_async_init(env, NULL, name, &t->async));
  CHECK(env, napi_create_reference(env, argv[0], 1, &t->callback));
  uv_poll_start(&t->poll, UV_READABLE, on_readable);
  uv_unref((uv_handle_t *)&t->poll);
  CHECK(env, napi_add_env_cleanup_hook(env, on_env_cleanup, t));
  napi_value handle;
  CHECK(env, napi_create_external(env, t, on_collected, NULL, &handle));
  return handle;
}

/* The call's arguments (up to *argc of them), the first being a timer handle. */
static precise_timer *timer_call(napi_env env, napi_callback_info info, size_t *argc,
                                 napi_value *argv) {
  size_t wanted = *argc;
  if (napi_get_cb_info(env, info, argc, argv, NULL, NULL) != napi_ok || *argc < 1) {
    napi_throw_type_error(env, "ERR_PRECISE_TIMER", "not a timer handle");
    return NULL;
  }
  if (*argc > wanted) *argc = wanted;
  return unwrap(env, argv[0]);
}

static napi_value arm(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  precise_timer *t = timer_call(env, info, &argc, argv);
  if (t == NULL) return NULL;
  double ms = NAN;
  if (argc >= 2) napi_get_value_double(env, argv[1], &ms);
  struct itimerspec when = {{0, 0}, {0, 0}};
  int armed = isfinite(ms);
  if (armed) {
    /* A zero it_value disarms a timerfd: a deadline already due fires in 1 ns. */
    double ns = ms > 0 ? ms * 1e6 : 1;
    when.it_value.tv_sec = (time_t)(ns / 1e9);
    when.it_value.tv_nsec = (long)(ns - (double)when.it_value.tv_sec * 1e9);
    if (when.it_value.tv_sec == 0 && when.it_value.tv_nsec == 0) when.it_value.tv_nsec = 1;
  }
  if (timerfd_settime(t->fd, 0, &when, NULL) != 0) {
    napi_throw_error(env, "ERR_PRECISE_TIMER", "timerfd_settime failed");
    return NULL;
  }
  if (armed)
    uv_ref((uv_handle_t *)&t->poll);
  else
    uv_unref((uv_handle_t *)&t->poll);
  return NULL;
}

static napi_value close_timer(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  precise_timer *t = timer_call(env, info, &argc, argv);
  if (t == NULL) return NULL;
  napi_remove_env_cleanup_hook(env, on_env_cleanup, t);
  shut(t);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"create", NULL, create, NULL, NULL, NULL, napi_default, NULL},
      {"arm", NULL, arm, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, close_timer, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok)
    return NULL;
  return exports;
}
