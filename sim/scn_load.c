/*
 * scn_load.c — scenario validation. One small reader per kind of value (number in a range,
 * count, probability, duration, distribution, enum) reports its own errors with position;
 * each object's keys are checked against its allowed list first, so a misspelt key gets a
 * "did you mean" and never silently falls back to a default.
 */
#include "scn.h"

#include "inv.h"
#include "olog.h"
#include "pth.h"
#include "rpt.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Largest price or amount, in currency units. With at most 8 lines of at most 1,000,000
 * units, an order's total in cents stays below 8e17, inside int64 (9.2e18). */
#define SCN_MAX_MONEY 1e9

typedef struct scn__ctx {
    jsn_doc *doc;          /* the document */
    os_diag *diag;         /* where errors go */
    scn_scenario *s;       /* the scenario being filled */
} scn__ctx;

#define SCN__ERR(cx, node, path, ...) jsn_error((cx)->doc, (cx)->diag, (node), false, (path), __VA_ARGS__)

static const cJSON *scn__member(const cJSON *obj, const char *key)
{
    return obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

/* Reports a missing required key at the object that should hold it. */
static void scn__missing(scn__ctx *cx, const cJSON *obj, const char *path, const char *key, const char *what)
{
    char p[512];
    jsn_path_key(p, sizeof p, path, key);
    SCN__ERR(cx, obj, p, "missing required key \"%s\" (%s)", key, what);
}

/* A finite number in [min, max]. Returns true when present and valid. */
static bool scn__num(scn__ctx *cx, const cJSON *obj, const char *path, const char *key, bool required,
                     double min, double max, double *out)
{
    const cJSON *v = scn__member(obj, key);
    char p[512];
    jsn_path_key(p, sizeof p, path, key);
    if (!v) {
        if (required) scn__missing(cx, obj, path, key, "a number");
        return false;
    }
    if (!cJSON_IsNumber(v)) {
        SCN__ERR(cx, v, p, "found %s, expected a number", jsn_type_name(v));
        return false;
    }
    if (v->valuedouble < min || v->valuedouble > max) {
        /* as many digits as it takes to differ from the bound it broke: 1.0000001 is not "1" */
        char f[40];
        double bound = v->valuedouble < min ? min : max;
        for (int digits = 6; digits <= 17; digits++) {
            char b[40];
            snprintf(f, sizeof f, "%.*g", digits, v->valuedouble);
            snprintf(b, sizeof b, "%.*g", digits, bound);
            if (strcmp(f, b) != 0) break;
        }
        if (max >= 1e300) SCN__ERR(cx, v, p, "found %s, expected a number >= %g", f, min);
        else SCN__ERR(cx, v, p, "found %s, expected a number from %g to %g", f, min, max);
        return false;
    }
    *out = v->valuedouble;
    return true;
}

/* A whole number in [min, max] (max at most 2^53, where doubles stop being exact). */
static bool scn__int(scn__ctx *cx, const cJSON *obj, const char *path, const char *key, bool required,
                     double min, double max, int64_t *out)
{
    double d;
    if (!scn__num(cx, obj, path, key, required, min, max, &d)) return false;
    if (d != floor(d)) {
        char p[512];
        jsn_path_key(p, sizeof p, path, key);
        SCN__ERR(cx, scn__member(obj, key), p, "found %g, expected a whole number", d);
        return false;
    }
    *out = (int64_t)d;
    return true;
}

static bool scn__prob(scn__ctx *cx, const cJSON *obj, const char *path, const char *key, double *out)
{
    return scn__num(cx, obj, path, key, false, 0, 1, out);
}

static bool scn__bool(scn__ctx *cx, const cJSON *obj, const char *path, const char *key, bool *out)
{
    const cJSON *v = scn__member(obj, key);
    if (!v) return false;
    if (!cJSON_IsBool(v)) {
        char p[512];
        jsn_path_key(p, sizeof p, path, key);
        SCN__ERR(cx, v, p, "found %s, expected true or false", jsn_type_name(v));
        return false;
    }
    *out = cJSON_IsTrue(v);
    return true;
}

/* A duration: seconds as a number, or a string with a unit. */
static bool scn__dur(scn__ctx *cx, const cJSON *obj, const char *path, const char *key, bool required, double *out)
{
    const cJSON *v = scn__member(obj, key);
    char p[512];
    jsn_path_key(p, sizeof p, path, key);
    if (!v) {
        if (required) scn__missing(cx, obj, path, key, "a duration such as \"15m\"");
        return false;
    }
    if (!jsn_duration(v, out)) {
        if (cJSON_IsString(v))
            SCN__ERR(cx, v, p, "found \"%s\", expected a duration: a number of seconds or a string like \"250ms\", \"40s\", \"15m\", \"2h\", \"7d\"", v->valuestring);
        else if (cJSON_IsNumber(v))
            SCN__ERR(cx, v, p, "found %g, expected a duration >= 0", v->valuedouble);
        else
            SCN__ERR(cx, v, p, "found %s, expected a duration such as \"15m\" or a number of seconds", jsn_type_name(v));
        return false;
    }
    return true;
}

/* A string no longer than cap-1 characters. */
static bool scn__str(scn__ctx *cx, const cJSON *obj, const char *path, const char *key, bool required,
                     char *out, size_t cap)
{
    const cJSON *v = scn__member(obj, key);
    char p[512];
    jsn_path_key(p, sizeof p, path, key);
    if (!v) {
        if (required) scn__missing(cx, obj, path, key, "a string");
        return false;
    }
    if (!cJSON_IsString(v)) {
        SCN__ERR(cx, v, p, "found %s, expected a string", jsn_type_name(v));
        return false;
    }
    if (strlen(v->valuestring) >= cap) {
        SCN__ERR(cx, v, p, "string too long: %zu characters, at most %zu", strlen(v->valuestring), cap - 1);
        return false;
    }
    snprintf(out, cap, "%s", v->valuestring);
    return true;
}

/* A required name (a SKU, a segment, a promotion id): a non-empty string. Names key the
 * breakdowns of --json, so an empty one would be a blank row. */
static bool scn__name(scn__ctx *cx, const cJSON *obj, const char *path, const char *key, char *out, size_t cap)
{
    if (!scn__str(cx, obj, path, key, true, out, cap)) return false;
    if (out[0]) return true;
    char p[512];
    jsn_path_key(p, sizeof p, path, key);
    SCN__ERR(cx, scn__member(obj, key), p, "found an empty string, expected a name");
    return false;
}

/* Refuses a name that element i of `array` shares with an earlier one, j: --json keys the
 * breakdowns by name, so two rows of one name would read as one. */
static void scn__twice(scn__ctx *cx, const cJSON *e, const char *path, const char *key, const char *what,
                       const char *name, const char *array, int j)
{
    char q[512];
    jsn_path_key(q, sizeof q, path, key);
    SCN__ERR(cx, scn__member(e, key), q, "%s \"%s\" is listed twice (also %s[%d])", what, name, array, j);
}

/* An object member that must be an object if present. */
static const cJSON *scn__obj(scn__ctx *cx, const cJSON *parent, const char *path, const char *key, bool required)
{
    const cJSON *v = scn__member(parent, key);
    char p[512];
    jsn_path_key(p, sizeof p, path, key);
    if (!v) {
        if (required) scn__missing(cx, parent, path, key, "an object");
        return NULL;
    }
    if (!cJSON_IsObject(v)) {
        SCN__ERR(cx, v, p, "found %s, expected an object", jsn_type_name(v));
        return NULL;
    }
    return v;
}

static double *scn__arena(scn_scenario *s, size_t n)
{
    /* Offsets, not pointers, until the end: the arena may move while it grows. */
    if (s->arena_n + n > s->arena_cap) {
        s->arena_cap = (s->arena_n + n) * 2;
        s->arena_d = xrealloc(s->arena_d, s->arena_cap * sizeof *s->arena_d);
    }
    double *p = s->arena_d + s->arena_n;
    s->arena_n += n;
    return p;
}

/* A distribution object. `time` makes the parameters durations (strings with units allowed);
 * otherwise they are plain non-negative numbers (counts). */
static bool scn__dist(scn__ctx *cx, const cJSON *parent, const char *path, const char *key, bool time, sim_dist *out)
{
    const cJSON *v = scn__member(parent, key);
    char p[512];
    jsn_path_key(p, sizeof p, path, key);
    if (!v) return false;
    if (!cJSON_IsObject(v)) {
        SCN__ERR(cx, v, p, "found %s, expected a distribution object such as {\"dist\":\"exp\",\"mean\":\"20ms\"}", jsn_type_name(v));
        return false;
    }
    const cJSON *dn = scn__member(v, "dist");
    if (!dn || !cJSON_IsString(dn)) {
        char q[512];
        jsn_path_key(q, sizeof q, p, "dist");
        if (!dn) SCN__ERR(cx, v, q, "missing required key \"dist\" (one of const, exp, uniform, normal, lognormal, empirical, mixture)");
        else SCN__ERR(cx, dn, q, "found %s, expected a distribution name", jsn_type_name(dn));
        return false;
    }
    int kind = sim_dist_parse(dn->valuestring);
    if (kind < 0) {
        char q[512];
        jsn_path_key(q, sizeof q, p, "dist");
        SCN__ERR(cx, dn, q, "unknown distribution \"%s\", expected one of const, exp, uniform, normal, lognormal, empirical, mixture", dn->valuestring);
        return false;
    }
    static const char *const k_const[] = { "dist", "value", NULL }, *const k_exp[] = { "dist", "mean", NULL },
        *const k_uni[] = { "dist", "min", "max", NULL }, *const k_norm[] = { "dist", "mean", "sd", NULL },
        *const k_logn[] = { "dist", "median", "sigma", NULL }, *const k_emp[] = { "dist", "values", "weights", NULL },
        *const k_mix[] = { "dist", "components", NULL };
    static const char *const *const keys[] = { k_const, k_exp, k_uni, k_norm, k_logn, k_emp, k_mix };
    int before = cx->diag->count;
    jsn_check_keys(cx->doc, cx->diag, v, p, keys[kind]);
    memset(out, 0, sizeof *out);
    out->kind = (sim_dist_kind)kind;
    /* Reads a parameter: a duration when `time`, else a number >= 0. */
#define PARAM(name, dst) (time ? scn__dur(cx, v, p, name, true, dst) : scn__num(cx, v, p, name, true, 0, 1e300, dst))
    switch (kind) {
    case SIM_CONST: PARAM("value", &out->a); break;
    case SIM_EXP:
        if (PARAM("mean", &out->a) && out->a <= 0) SCN__ERR(cx, scn__member(v, "mean"), p, "an exponential's mean must be > 0");
        break;
    case SIM_UNIFORM:
        if (PARAM("min", &out->a) & PARAM("max", &out->b) && out->a > out->b)
            SCN__ERR(cx, v, p, "uniform min %g is above max %g", out->a, out->b);
        break;
    case SIM_NORMAL: PARAM("mean", &out->a); scn__num(cx, v, p, "sd", true, 0, 1e300, &out->b); break;
    case SIM_LOGNORMAL:
        if (PARAM("median", &out->a) && out->a <= 0) SCN__ERR(cx, scn__member(v, "median"), p, "a lognormal's median must be > 0");
        scn__num(cx, v, p, "sigma", true, 0, 20, &out->b);
        break;
    case SIM_EMPIRICAL: {
        const cJSON *vals = scn__member(v, "values"), *w = scn__member(v, "weights");
        char q[512];
        jsn_path_key(q, sizeof q, p, "values");
        int n = cJSON_IsArray(vals) ? cJSON_GetArraySize(vals) : 0;
        if (!vals) { scn__missing(cx, v, p, "values", "a non-empty array"); break; }
        if (n == 0) { SCN__ERR(cx, vals, q, "found %s, expected a non-empty array of values", cJSON_IsArray(vals) ? "an empty array" : jsn_type_name(vals)); break; }
        if (n > 100000) { SCN__ERR(cx, vals, q, "too many values: %d, at most 100000", n); break; }
        if (w && (!cJSON_IsArray(w) || cJSON_GetArraySize(w) != n)) {
            jsn_path_key(q, sizeof q, p, "weights");
            SCN__ERR(cx, w, q, "expected an array of %d weights, one per value", n);
            break;
        }
        size_t off = cx->s->arena_n;
        double *vv = scn__arena(cx->s, (size_t)n * 2);
        double *cum = vv + n, total = 0;
        int i = 0;
        for (const cJSON *e = vals->child; e; e = e->next, i++) {
            jsn_path_index(q, sizeof q, p, i);
            char ip[600];
            snprintf(ip, sizeof ip, "%s.values[%d]", p, i);
            if (!(time ? jsn_duration(e, &vv[i]) : (cJSON_IsNumber(e) && e->valuedouble >= 0 && (vv[i] = e->valuedouble, true))))
                SCN__ERR(cx, e, ip, "found %s, expected %s", jsn_type_name(e), time ? "a duration" : "a number >= 0");
            const cJSON *we = w ? cJSON_GetArrayItem(w, i) : NULL;
            double wt = 1;
            if (we) {
                snprintf(ip, sizeof ip, "%s.weights[%d]", p, i);
                if (!cJSON_IsNumber(we) || we->valuedouble < 0) SCN__ERR(cx, we, ip, "expected a weight >= 0");
                else wt = we->valuedouble;
            }
            total += wt;
            cum[i] = total;
        }
        if (!(total > 0)) SCN__ERR(cx, v, p, "the weights sum to 0");
        else for (i = 0; i < n; i++) cum[i] /= total;
        cum[n - 1] = 1.0;
        out->n = n;
        out->values = (const double *)(uintptr_t)off; /* fixed up in scn__fix_dists */
        out->cum = (const double *)(uintptr_t)(off + (size_t)n);
        break;
    }
    case SIM_MIXTURE: {
        /* Lognormal components: [{"weight": w, "median": m, "sigma": s}, ...]. */
        const cJSON *comp = scn__member(v, "components");
        char q[512];
        jsn_path_key(q, sizeof q, p, "components");
        if (!comp) { scn__missing(cx, v, p, "components", "an array of {\"weight\",\"median\",\"sigma\"}"); break; }
        int n = cJSON_IsArray(comp) ? cJSON_GetArraySize(comp) : 0;
        if (n < 1 || n > 16) {
            SCN__ERR(cx, comp, q, "found %s, expected an array of 1 to 16 lognormal components {\"weight\",\"median\",\"sigma\"}",
                     cJSON_IsArray(comp) ? "a wrong number of components" : jsn_type_name(comp));
            break;
        }
        static const char *const k_comp[] = { "weight", "median", "sigma", NULL };
        size_t off = cx->s->arena_n;
        double *ms = scn__arena(cx->s, (size_t)n * 3);
        double *cum = ms + 2 * n, total = 0;
        int i = 0;
        for (const cJSON *e = comp->child; e; e = e->next, i++) {
            char ip[600];
            snprintf(ip, sizeof ip, "%s[%d]", q, i);
            ms[2 * i] = 1, ms[2 * i + 1] = 0;
            cum[i] = total;
            if (!cJSON_IsObject(e)) { SCN__ERR(cx, e, ip, "found %s, expected {\"weight\",\"median\",\"sigma\"}", jsn_type_name(e)); continue; }
            jsn_check_keys(cx->doc, cx->diag, e, ip, k_comp);
            double w = 0;
            scn__num(cx, e, ip, "weight", true, 0, 1e300, &w);
            if ((time ? scn__dur(cx, e, ip, "median", true, &ms[2 * i]) : scn__num(cx, e, ip, "median", true, 0, 1e300, &ms[2 * i]))
                && ms[2 * i] <= 0)
                SCN__ERR(cx, scn__member(e, "median"), ip, "a lognormal component's median must be > 0");
            scn__num(cx, e, ip, "sigma", true, 0, 20, &ms[2 * i + 1]);
            total += w;
            cum[i] = total;
        }
        if (!(total > 0)) SCN__ERR(cx, comp, q, "the components' weights sum to 0");
        else for (i = 0; i < n; i++) cum[i] /= total;
        cum[n - 1] = 1.0;
        out->n = n;
        out->values = (const double *)(uintptr_t)off; /* fixed up in scn__fix_dists */
        out->cum = (const double *)(uintptr_t)(off + 2 * (size_t)n);
        break;
    }
    default: break;
    }
#undef PARAM
    return cx->diag->count == before;
}

/* ---- sections ------------------------------------------------------------------------ */

static const char *const k_top[] = { "name", "description", "currency", "seed", "horizon", "warmup", "catalog", "promotions",
    "inventory", "risk", "customers", "payment", "stations", "fulfilment", "process", "thresholds", "report",
    "membership", "admission", "faults", NULL };
static const char *const k_sku[] = { "sku", "stock", "price", "category", "max_per_user", "demand_weight", "warehouse",
    "process", "merchant", NULL };
static const char *const k_promo[] = { "id", "type", "value", "threshold", "priority", "stackable", "budget",
    "return_budget", "per_customer", NULL };
static const char *const k_inv[] = { "strategy", "order_expiry", "revalidate_before_payment", "oversell", "display", "store", NULL };
static const char *const k_store[] = { "kind",
#define SCN__SK(id, name) name,
    SCN_STORE_KEY_LIST(SCN__SK)
#undef SCN__SK
    NULL };
static const char *const k_risk[] = { "max_unpaid_orders_per_user", "bot_detect_probability", "false_positive_probability", NULL };
static const char *const k_cust[] = { "arrivals", "max_customers", "segments", NULL };
static const char *const k_arr[] = { "process", "rate", "schedule", "profile", "levels", "file", "column", "speedup", "map", NULL };
static const char *const k_profile[] = { "period", "weights", "offset", NULL };
static const char *const k_levels[] = { "every", "values", "offset", NULL };
static const char *const k_sched[] = { "at", "rate", NULL };
static const char *const k_seg[] = { "name", "share", "malicious", "quantity", "basket_size", "pay_probability",
    "think_time", "cancel_probability", "modify_probability", "return_probability", "return_delay",
    "orders_per_visit", "accounts_per_visit", "coupon", "cancel_after_pay_probability", "cancel_after_pay_delay",
    "process", "reads", "checkout_abandon_probability", "retry", "tier", "refund_probability", "refund_delay",
    "return_lines", "modify_address_probability", "modify_address_delay", NULL };
static const char *const k_reads[] = { "per_order", "service", NULL };
static const char *const k_retry[] = { "probability", "max", "delay", NULL };
static const char *const k_display[] = { "refresh", NULL };
static const char *const k_pay[] = { "delay", "failure_probability", "servers", "session_timeout", "channels", "timeout", NULL };
static const char *const k_channel[] = { "name", "share", "delay", "failure_probability", NULL };
static const char *const k_stations[] = { "order_service", "warehouse", NULL };
static const char *const k_station[] = { "servers", "service", NULL };
static const char *const k_station_t[] = { "servers", "service", "timeout", NULL };
static const char *const k_adm[] = { "rate_limit", "waiting_room", "sold_out_flag", NULL };
static const char *const k_rl[] = { "rate", "burst", NULL };
static const char *const k_wr[] = { "release_rate", "capacity", "patience", NULL };
static const char *const k_flag[] = { "ttl", NULL };
static const char *const k_svc[] = { "name", "role", "servers", "service", "failure_probability", "timeout", "retries",
    "on_failure", NULL };
static const char *const k_fault[] = { "target", "at", "duration", "kind", "factor", NULL };
static const char *const k_ful[] = { "delivery", "auto_confirm_after", "complete_after", "restock_probability",
    "merchant_cancel_probability", "return_reject_probability", NULL };
static const char *const k_member[] = { "tiers", NULL };
static const char *const k_tier[] = { "name", "discount_percent", "priority", "stackable", "points_per_unit", NULL };
static const char *const k_report[] = { "sample_every", NULL };

/* A SKU's merchant (default "default"): a paid order splits per (warehouse, merchant). */
static void scn__sku_merchant(scn__ctx *cx, const cJSON *e, const char *p, scn_sku *k)
{
    scn_scenario *s = cx->s;
    char name[SCN_NAME_MAX] = "default";
    if (scn__member(e, "merchant")) scn__name(cx, e, p, "merchant", name, sizeof name);
    for (int j = 0; j < s->n_merchants; j++)
        if (strcmp(s->merchants[j], name) == 0) { k->merchant = j; return; }
    if (s->n_merchants == SCN_MAX_MERCHANTS) {
        char q[96];
        jsn_path_key(q, sizeof q, p, "merchant");
        SCN__ERR(cx, scn__member(e, "merchant"), q, "too many merchants: at most %d", SCN_MAX_MERCHANTS);
        return;
    }
    k->merchant = s->n_merchants++;
    snprintf(s->merchants[k->merchant], SCN_NAME_MAX, "%s", name);
}

/* payment.channels: card, wallet, bank transfer...; each order pays through one, drawn by
 * share, with the channel's delay and failure probability (payment's own by default). Read
 * after payment.delay and payment.failure_probability, their defaults. */
static void scn__payment_channels(scn__ctx *cx, const cJSON *pay)
{
    scn_scenario *s = cx->s;
    const cJSON *ch = scn__member(pay, "channels");
    if (!ch) return;
    int n = cJSON_IsArray(ch) ? cJSON_GetArraySize(ch) : -1;
    if (n < 1 || n > SCN_MAX_CHANNELS) {
        SCN__ERR(cx, ch, "payment.channels", "found %s, expected an array of 1 to %d channels {\"name\",\"share\",\"delay\",\"failure_probability\"}",
                 n < 0 ? jsn_type_name(ch) : n ? "too many channels" : "an empty array", SCN_MAX_CHANNELS);
        return;
    }
    double total = 0;
    int i = 0;
    for (const cJSON *e = ch->child; e; e = e->next, i++) {
        scn_channel *c = &s->channels[s->n_channels++];
        char p[64];
        jsn_path_index(p, sizeof p, "payment.channels", i);
        c->delay = s->pay_delay;
        c->failure_p = s->pay_failure_p;
        if (!cJSON_IsObject(e)) { SCN__ERR(cx, e, p, "found %s, expected a channel object", jsn_type_name(e)); continue; }
        jsn_check_keys(cx->doc, cx->diag, e, p, k_channel);
        if (scn__name(cx, e, p, "name", c->name, sizeof c->name))
            for (int j = 0; j < i; j++)
                if (strcmp(s->channels[j].name, c->name) == 0) scn__twice(cx, e, p, "name", "channel", c->name, "payment.channels", j);
        scn__num(cx, e, p, "share", true, 0, 1, &c->share);
        total += c->share;
        scn__dist(cx, e, p, "delay", true, &c->delay);
        scn__prob(cx, e, p, "failure_probability", &c->failure_p);
    }
    if (fabs(total - 1.0) > 1e-9) SCN__ERR(cx, ch, "payment.channels", "the channels' shares sum to %.10g, expected 1", total);
}

static void scn__catalog(scn__ctx *cx, const cJSON *root)
{
    scn_scenario *s = cx->s;
    const cJSON *cat = scn__member(root, "catalog");
    if (!cat) { scn__missing(cx, root, "", "catalog", "an array of SKUs"); return; }
    int n = cJSON_IsArray(cat) ? cJSON_GetArraySize(cat) : 0;
    if (!cJSON_IsArray(cat) || n == 0 || n > SCN_MAX_SKUS) {
        SCN__ERR(cx, cat, "catalog", "found %s, expected an array of 1 to %d SKUs",
                 cJSON_IsArray(cat) ? (n ? "too many SKUs" : "an empty array") : jsn_type_name(cat), SCN_MAX_SKUS);
        return;
    }
    s->skus = xcalloc((size_t)n, sizeof *s->skus);
    s->n_skus = n;
    int i = 0;
    char p[64];
    for (const cJSON *e = cat->child; e; e = e->next, i++) {
        scn_sku *k = &s->skus[i];
        jsn_path_index(p, sizeof p, "catalog", i);
        k->demand_weight = 1;
        if (!cJSON_IsObject(e)) { SCN__ERR(cx, e, p, "found %s, expected a SKU object", jsn_type_name(e)); continue; }
        jsn_check_keys(cx->doc, cx->diag, e, p, k_sku);
        scn__name(cx, e, p, "sku", k->sku, sizeof k->sku);
        for (int j = 0; j < i; j++)
            if (k->sku[0] && strcmp(s->skus[j].sku, k->sku) == 0) scn__twice(cx, e, p, "sku", "SKU", k->sku, "catalog", j);
        scn__int(cx, e, p, "stock", true, 0, 9007199254740992.0, &k->stock);
        double price = 0;
        if (scn__num(cx, e, p, "price", true, 0, SCN_MAX_MONEY, &price)) k->price = (os_money)llround(price * 100);
        scn__str(cx, e, p, "category", false, k->category, sizeof k->category);
        int64_t lim = 0;
        if (scn__int(cx, e, p, "max_per_user", false, 0, 1e9, &lim)) k->max_per_user = (int32_t)lim;
        if (scn__num(cx, e, p, "demand_weight", false, 0, 1e300, &k->demand_weight) && k->demand_weight <= 0)
            SCN__ERR(cx, scn__member(e, "demand_weight"), p, "demand_weight must be > 0");
        char wh[SCN_NAME_MAX] = "";
        if (!scn__str(cx, e, p, "warehouse", false, wh, sizeof wh)) snprintf(wh, sizeof wh, "default");
        int w = -1;
        for (int j = 0; j < s->n_warehouses; j++)
            if (strcmp(s->warehouses[j], wh) == 0) w = j;
        if (w < 0) {
            if (s->n_warehouses == SCN_MAX_WAREHOUSES) {
                SCN__ERR(cx, scn__member(e, "warehouse"), p, "too many warehouses: at most %d", SCN_MAX_WAREHOUSES);
                w = 0;
            } else {
                w = s->n_warehouses++;
                snprintf(s->warehouses[w], SCN_NAME_MAX, "%s", wh);
            }
        }
        k->warehouse = w;
        scn__sku_merchant(cx, e, p, k);
    }
}

static void scn__promotions(scn__ctx *cx, const cJSON *root)
{
    scn_scenario *s = cx->s;
    const cJSON *pr = scn__member(root, "promotions");
    if (!pr) return;
    if (!cJSON_IsArray(pr) || cJSON_GetArraySize(pr) > PROMO_MAX) {
        SCN__ERR(cx, pr, "promotions", "found %s, expected an array of at most %d promotions",
                 cJSON_IsArray(pr) ? "too many promotions" : jsn_type_name(pr), PROMO_MAX);
        return;
    }
    int i = 0;
    char p[64];
    for (const cJSON *e = pr->child; e; e = e->next, i++) {
        promo_def *d = &s->promos[s->n_promos++];
        jsn_path_index(p, sizeof p, "promotions", i);
        d->budget = PROMO_UNLIMITED;
        d->stackable = true;
        d->return_budget = true;
        if (!cJSON_IsObject(e)) { SCN__ERR(cx, e, p, "found %s, expected a promotion object", jsn_type_name(e)); continue; }
        jsn_check_keys(cx->doc, cx->diag, e, p, k_promo);
        scn__name(cx, e, p, "id", d->id, sizeof d->id);
        for (int j = 0; j < i; j++)
            if (d->id[0] && strcmp(s->promos[j].id, d->id) == 0) scn__twice(cx, e, p, "id", "promotion", d->id, "promotions", j);
        char type[32] = "";
        if (scn__str(cx, e, p, "type", true, type, sizeof type)) {
            int t = promo_type_parse(type);
            char q[96];
            jsn_path_key(q, sizeof q, p, "type");
            if (t < 0) SCN__ERR(cx, scn__member(e, "type"), q, "unknown promotion type \"%s\", expected percent_off, fixed_off, threshold_off or coupon", type);
            else d->type = (promo_type)t;
        }
        double v = 0;
        if (d->type == PROMO_PERCENT_OFF) {
            if (scn__num(cx, e, p, "value", true, 0, 100, &v)) d->percent_bp = (int64_t)llround(v * 100);
        } else if (scn__num(cx, e, p, "value", true, 0, SCN_MAX_MONEY, &v)) d->amount = (os_money)llround(v * 100);
        if (d->type == PROMO_THRESHOLD_OFF) {
            if (scn__num(cx, e, p, "threshold", true, 0, SCN_MAX_MONEY, &v)) d->threshold = (os_money)llround(v * 100);
        }
        int64_t prio = 0;
        if (scn__int(cx, e, p, "priority", false, -1e6, 1e6, &prio)) d->priority = (int)prio;
        scn__bool(cx, e, p, "stackable", &d->stackable);
        scn__bool(cx, e, p, "return_budget", &d->return_budget);
        if (scn__num(cx, e, p, "budget", false, 0, 1e13, &v)) d->budget = (os_money)llround(v * 100);
        int64_t pc = 0;
        if (scn__int(cx, e, p, "per_customer", false, 1, 1e6, &pc)) {
            char q[96];
            jsn_path_key(q, sizeof q, p, "per_customer");
            if (d->type != PROMO_COUPON)
                SCN__ERR(cx, scn__member(e, "per_customer"), q, "only a coupon has a per-customer limit; this promotion is of type %s",
                         promo_type_name(d->type));
            else d->per_customer = (int32_t)pc;
        }
    }
}

/* The 1-based index of the membership tier called `name`, or 0. */
static int scn__tier_find(const scn_scenario *s, const char *name)
{
    for (int i = 0; i < s->n_tiers; i++)
        if (strcmp(s->tiers[i].name, name) == 0) return i + 1;
    return 0;
}

/* membership: tiers whose discount is a promotion for the tier's orders (stacking by
 * priority with the others) and whose units earn points. Read after the promotions: the
 * tiers join their book, so their names must differ from the promotions' ids. */
static void scn__membership(scn__ctx *cx, const cJSON *root)
{
    scn_scenario *s = cx->s;
    const cJSON *mb = scn__obj(cx, root, "", "membership", false);
    if (!mb) return;
    jsn_check_keys(cx->doc, cx->diag, mb, "membership", k_member);
    const cJSON *ts = scn__member(mb, "tiers");
    if (!ts) { scn__missing(cx, mb, "membership", "tiers", "an array of tiers"); return; }
    int n = cJSON_IsArray(ts) ? cJSON_GetArraySize(ts) : -1;
    int cap = PROMO_MAX - s->n_promos < PROC_MAX_TIERS ? PROMO_MAX - s->n_promos : PROC_MAX_TIERS;
    if (n < 1 || n > cap) {
        SCN__ERR(cx, ts, "membership.tiers", "found %s, expected an array of 1 to %d tiers (tiers and promotions together at most %d)",
                 n < 0 ? jsn_type_name(ts) : n ? "too many tiers" : "an empty array", cap, PROMO_MAX);
        return;
    }
    int i = 0;
    for (const cJSON *e = ts->child; e; e = e->next, i++) {
        proc_tier *t = &s->tiers[s->n_tiers];
        char p[64], q[96];
        jsn_path_index(p, sizeof p, "membership.tiers", i);
        jsn_path_key(q, sizeof q, p, "name");
        *t = (proc_tier){ .stackable = true };
        if (!cJSON_IsObject(e)) { SCN__ERR(cx, e, p, "found %s, expected a tier object", jsn_type_name(e)); continue; }
        jsn_check_keys(cx->doc, cx->diag, e, p, k_tier);
        if (scn__name(cx, e, p, "name", t->name, sizeof t->name)) {
            if (scn__tier_find(s, t->name)) SCN__ERR(cx, scn__member(e, "name"), q, "tier \"%s\" is listed twice", t->name);
            for (int k = 0; k < s->n_promos; k++)
                if (strcmp(s->promos[k].id, t->name) == 0)
                    SCN__ERR(cx, scn__member(e, "name"), q, "\"%s\" is also a promotion's id (promotions[%d]); expected a distinct name", t->name, k);
        }
        double v = 0;
        if (scn__num(cx, e, p, "discount_percent", false, 0, 100, &v)) t->discount_bp = (int64_t)llround(v * 100);
        int64_t k = 0;
        if (scn__int(cx, e, p, "priority", false, -1e6, 1e6, &k)) t->priority = (int)k;
        scn__bool(cx, e, p, "stackable", &t->stackable);
        if (scn__int(cx, e, p, "points_per_unit", false, 0, 100, &k)) t->points_per_unit = (int32_t)k;
        s->n_tiers++;
    }
}

/* An order carries at most PROMO_MAX_APPLIED promotions: a scenario where more can apply to
 * one order (stackable promotions, counting the coupons once and the membership tiers once,
 * promo_stack_bound) is refused at the promotion that goes past the cap, rather than run
 * with the later ones silently giving nothing. */
static void scn__promotion_stack(scn__ctx *cx, const cJSON *root)
{
    const scn_scenario *s = cx->s;
    promo_def defs[PROMO_MAX];
    int n = 0;
    for (int i = 0; i < s->n_promos; i++) defs[n++] = s->promos[i];
    for (int i = 0; i < s->n_tiers && n < PROMO_MAX; i++)
        defs[n++] = (promo_def){ .type = PROMO_PERCENT_OFF, .stackable = s->tiers[i].stackable, .tier = (uint8_t)(i + 1) };
    int culprit, most = promo_stack_bound(defs, n, &culprit);
    if (culprit < 0) return;
    bool tier = culprit >= s->n_promos;
    const cJSON *arr = tier ? scn__member(scn__member(root, "membership"), "tiers") : scn__member(root, "promotions");
    int k = tier ? culprit - s->n_promos : culprit;
    char p[64];
    jsn_path_index(p, sizeof p, tier ? "membership.tiers" : "promotions", k);
    SCN__ERR(cx, cJSON_GetArrayItem(arr, k), p, "up to %d promotions can apply to one order (stackable ones; coupons count once, "
             "membership tiers once), expected at most %d: make some \"stackable\": false or remove one", most, PROMO_MAX_APPLIED);
}

/* A segment's membership: "tier" is a tier's name, or {"TIER": share, ...} for a mix whose
 * shares sum to at most 1 (the rest are not members). */
static void scn__segment_tier(scn__ctx *cx, const cJSON *e, const char *p, scn_segment *g)
{
    const cJSON *v = scn__member(e, "tier");
    if (!v) return;
    char q[128];
    jsn_path_key(q, sizeof q, p, "tier");
    if (cJSON_IsString(v)) {
        int t = scn__tier_find(cx->s, v->valuestring);
        if (!t) SCN__ERR(cx, v, q, "unknown tier \"%s\", expected a name from membership.tiers", v->valuestring);
        else g->tier_of[0] = (uint8_t)t, g->tier_cum[0] = 1, g->n_tier_mix = 1;
        return;
    }
    if (!cJSON_IsObject(v)) {
        SCN__ERR(cx, v, q, "found %s, expected a tier name or {\"TIER\": share, ...}", jsn_type_name(v));
        return;
    }
    double total = 0;
    for (const cJSON *m = v->child; m && g->n_tier_mix < PROC_MAX_TIERS; m = m->next) {
        char r[192];
        jsn_path_key(r, sizeof r, q, m->string);
        int t = scn__tier_find(cx->s, m->string);
        if (!t) { jsn_error(cx->doc, cx->diag, m, true, r, "unknown tier \"%s\", expected a name from membership.tiers", m->string); continue; }
        if (!cJSON_IsNumber(m) || m->valuedouble < 0 || m->valuedouble > 1) {
            SCN__ERR(cx, m, r, "found %s, expected a share from 0 to 1", cJSON_IsNumber(m) ? "a number out of range" : jsn_type_name(m));
            continue;
        }
        total += m->valuedouble;
        g->tier_of[g->n_tier_mix] = (uint8_t)t;
        g->tier_cum[g->n_tier_mix++] = total;
    }
    if (total > 1 + 1e-9) SCN__ERR(cx, v, q, "the tiers' shares sum to %.10g, expected at most 1 (the rest are not members)", total);
}

/* A segment's keys for the order rules after payment: refunds before shipping, partial
 * returns, and its membership. */
static void scn__segment_order_rules(scn__ctx *cx, const cJSON *e, const char *p, scn_segment *g)
{
    g->refund_delay = (sim_dist){ .kind = SIM_CONST, .a = 0 };
    scn__prob(cx, e, p, "refund_probability", &g->refund_probability);
    scn__dist(cx, e, p, "refund_delay", true, &g->refund_delay);
    char rl[32] = "all";
    if (scn__str(cx, e, p, "return_lines", false, rl, sizeof rl)) {
        char q[128];
        jsn_path_key(q, sizeof q, p, "return_lines");
        if (strcmp(rl, "one") == 0) g->return_one_line = true;
        else if (strcmp(rl, "all") != 0) SCN__ERR(cx, scn__member(e, "return_lines"), q, "found \"%s\", expected \"all\" or \"one\"", rl);
    }
    scn__segment_tier(cx, e, p, g);
}

/* fulfilment's merchant actions: cancelling a paid order at picking, refusing a return. */
static void scn__fulfilment_merchant(scn__ctx *cx, const cJSON *ful)
{
    scn__prob(cx, ful, "fulfilment", "merchant_cancel_probability", &cx->s->merchant_cancel_p);
    scn__prob(cx, ful, "fulfilment", "return_reject_probability", &cx->s->return_reject_p);
}

typedef struct scn__tarr { double t; long line; int row; } scn__tarr;

static int scn__cmp_tarr(const void *a, const void *b)
{
    const scn__tarr *x = a, *y = b;
    if (x->t != y->t) return (x->t > y->t) - (x->t < y->t);
    return (x->line > y->line) - (x->line < y->line);
}

/* A trace: reads the log (relative to the scenario's directory) at load time, so `validate`
 * reports its problems too. One arrival per order (rows sharing an order_id are its lines),
 * at its creation time minus the first one, divided by speedup; it keeps its customer and,
 * when the log has them, its SKUs (which must be in the catalog) and quantities. */
static void scn__trace(scn__ctx *cx, const cJSON *a)
{
    scn_scenario *s = cx->s;
    const char *ap = "customers.arrivals";
    int before = cx->diag->count;
    char file[512] = "", column[128] = "";
    if (!scn__str(cx, a, ap, "file", true, file, sizeof file)) return;
    scn__str(cx, a, ap, "column", false, column, sizeof column);
    double speedup = 1;
    if (scn__num(cx, a, ap, "speedup", false, 0, 1e9, &speedup) && speedup <= 0)
        SCN__ERR(cx, scn__member(a, "speedup"), "customers.arrivals.speedup", "found 0, expected a factor > 0");
    static const char *const rate_keys[] = { "rate", "schedule", "profile", "levels" };
    for (int k = 0; k < 4; k++)
        if (scn__member(a, rate_keys[k])) {
            SCN__ERR(cx, scn__member(a, rate_keys[k]), ap,
                     "a trace sets its own arrival times; expected no \"rate\", \"schedule\", \"profile\" or \"levels\" with it");
            break;
        }
    const char *maps[40];
    char mapbuf[40][320];
    int nmap = 0;
    const cJSON *m = scn__obj(cx, a, ap, "map", false);
    for (const cJSON *e = m ? m->child : NULL; e && nmap < 32; e = e->next) {
        char q[160];
        jsn_path_key(q, sizeof q, "customers.arrivals.map", e->string);
        if (!cJSON_IsString(e) || os_name_find((const char *const[]){ "order_id", "customer_id", "status", "created_at",
                "paid_at", "cancelled_at", "shipped_at", "delivered_at", "returned_at", "sku", "quantity", "price", "channel", NULL },
                -1, e->string) < 0) {
            SCN__ERR(cx, e, q, "expected \"KNOWN_NAME\": \"LOG_COLUMN\" with KNOWN_NAME one of order_id, customer_id, created_at, sku, quantity, ...");
            continue;
        }
        snprintf(mapbuf[nmap], sizeof mapbuf[nmap], "%s=%s", e->string, e->valuestring);
        maps[nmap] = mapbuf[nmap];
        nmap++;
    }
    if (column[0]) {
        snprintf(mapbuf[nmap], sizeof mapbuf[nmap], "created_at=%s", column);
        maps[nmap] = mapbuf[nmap];
        nmap++;
    }
    if (cx->diag->count > before) return;
    char path[1024];
    pth_beside(jsn_file(cx->doc), file, path, sizeof path);
    /* a regular file only: a FIFO would hang the load, a device read forever */
    struct stat tsb;
    int serr = stat(path, &tsb) != 0 ? errno : 0;
    if (serr || !S_ISREG(tsb.st_mode)) {
        SCN__ERR(cx, scn__member(a, "file"), "customers.arrivals.file", "the trace \"%s\" is %s, expected a regular file (an order log)",
                 path, serr ? strerror(serr) : S_ISFIFO(tsb.st_mode) ? "a FIFO (named pipe)" : S_ISDIR(tsb.st_mode) ? "a directory"
                 : "not a regular file");
        return;
    }
    olog_opts lo = { .map = maps, .nmap = nmap, .max_bad = -1 };
    os_diag sub, notes;
    os_diag_init(&sub);
    os_diag_init(&notes);
    olog *l = NULL;
    if (olog_read(path, &lo, &l, &sub, &notes) != OS_OK) {
        SCN__ERR(cx, scn__member(a, "file"), "customers.arrivals.file", "cannot replay the trace \"%s\":", path);
        for (int i = 0; i < sub.count; i++) os_diag_add(cx->diag, "  %s", sub.msgs[i]);
        os_diag_fini(&sub);
        os_diag_fini(&notes);
        return;
    }
    os_diag_fini(&sub);
    os_diag_fini(&notes);
    /* Orders: the first row of each order_id (or every row). */
    int *first = xmalloc((size_t)(l->orders.n > 0 ? l->orders.n : 1) * sizeof *first);
    for (int i = 0; i < l->orders.n; i++) first[i] = -1;
    int *next = xmalloc((size_t)l->n * sizeof *next), *last = xmalloc((size_t)(l->orders.n > 0 ? l->orders.n : 1) * sizeof *last);
    scn__tarr *arr = xmalloc((size_t)l->n * sizeof *arr);
    int n = 0;
    int32_t *sku_of = xmalloc((size_t)(l->skus.n > 0 ? l->skus.n : 1) * sizeof *sku_of);
    for (int k = 0; k < l->skus.n; k++) {
        sku_of[k] = -1;
        for (int j = 0; j < s->n_skus; j++)
            if (strcmp(s->skus[j].sku, l->skus.s[k]) == 0) sku_of[k] = j;
    }
    for (int i = 0; i < l->n; i++) {
        const olog_row *r = &l->rows[i];
        next[i] = -1;
        if (r->sku >= 0 && sku_of[r->sku] < 0) {
            SCN__ERR(cx, scn__member(a, "file"), "customers.arrivals.file", "%s:%ld: SKU \"%s\" is not in the catalog", path,
                     r->line, l->skus.s[r->sku]);
            sku_of[r->sku] = 0;      /* reported once */
        }
        if (r->order >= 0 && first[r->order] >= 0) { next[last[r->order]] = i; last[r->order] = i; continue; }
        if (r->order >= 0) first[r->order] = last[r->order] = i;
        arr[n++] = (scn__tarr){ r->t[OLOG_T_CREATED], r->line, i };
    }
    qsort(arr, (size_t)n, sizeof *arr, scn__cmp_tarr);
    s->n_trace = n;
    s->trace_t = xmalloc((size_t)n * sizeof *s->trace_t);
    s->trace_cust = xmalloc((size_t)n * sizeof *s->trace_cust);
    s->trace_line0 = xmalloc((size_t)n * sizeof *s->trace_line0);
    s->trace_nlines = xmalloc((size_t)n * sizeof *s->trace_nlines);
    s->trace_sku = xmalloc((size_t)l->n * sizeof *s->trace_sku);
    s->trace_qty = xmalloc((size_t)l->n * sizeof *s->trace_qty);
    int nl = 0;
    for (int k = 0; k < n; k++) {
        const olog_row *r0 = &l->rows[arr[k].row];
        s->trace_t[k] = (arr[k].t - arr[0].t) / speedup;
        s->trace_cust[k] = r0->customer >= 0 ? (uint64_t)r0->customer : (uint64_t)l->customers.n + (uint64_t)k;
        s->trace_line0[k] = nl;
        int cnt = 0;
        for (int i = arr[k].row; i >= 0 && cnt < 8; i = next[i]) {
            const olog_row *r = &l->rows[i];
            if (r->sku < 0) continue;
            s->trace_sku[nl] = sku_of[r->sku] >= 0 ? sku_of[r->sku] : 0;
            s->trace_qty[nl] = isnan(r->quantity) ? 0 : r->quantity < 1 ? 1 : r->quantity > 1e6 ? 1000000 : (int32_t)llround(r->quantity);
            nl++;
            cnt++;
        }
        s->trace_nlines[k] = cnt;
    }
    free(first); free(next); free(last); free(arr); free(sku_of);
    olog_free(l);
    s->rate = 0;
}

/* A required array of 1..max numbers from 0 to 1e9, not all 0 (`what` names one entry in
 * messages). Returns an owned copy, or NULL after reporting. */
static double *scn__weights(scn__ctx *cx, const cJSON *obj, const char *path, const char *key, int max, const char *what, int *n_out)
{
    const cJSON *v = scn__member(obj, key);
    char p[128];
    jsn_path_key(p, sizeof p, path, key);
    if (!v) { scn__missing(cx, obj, path, key, "an array of numbers"); return NULL; }
    int n = cJSON_IsArray(v) ? cJSON_GetArraySize(v) : -1;
    if (n < 1 || n > max) {
        SCN__ERR(cx, v, p, "found %s, expected an array of 1 to %d %ss", n < 0 ? jsn_type_name(v) : n == 0 ? "an empty array" : "too many entries",
                 max, what);
        return NULL;
    }
    double *w = xmalloc((size_t)n * sizeof *w), sum = 0;
    int i = 0, before = cx->diag->count;
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        char q[160];
        jsn_path_index(q, sizeof q, p, i);
        if (!cJSON_IsNumber(e)) SCN__ERR(cx, e, q, "found %s, expected a number >= 0", jsn_type_name(e));
        else if (!(e->valuedouble >= 0 && e->valuedouble <= 1e9)) SCN__ERR(cx, e, q, "found %g, expected a number from 0 to 1e+09", e->valuedouble);
        else { w[i] = e->valuedouble; sum += w[i]; }
    }
    if (cx->diag->count == before && !(sum > 0)) SCN__ERR(cx, v, p, "every entry is 0, expected at least one %s > 0", what);
    if (cx->diag->count > before) { free(w); return NULL; }
    *n_out = n;
    return w;
}

/* A required duration > 0 of at least a second, and an optional offset into it, below it. */
static bool scn__span_offset(scn__ctx *cx, const cJSON *obj, const char *path, const char *key, double *span, double *offset)
{
    char p[128];
    jsn_path_key(p, sizeof p, path, key);
    if (!scn__dur(cx, obj, path, key, true, span)) return false;
    if (*span < 1) { SCN__ERR(cx, scn__member(obj, key), p, "found %g s, expected a duration of at least 1 s", *span); return false; }
    *offset = 0;
    if (scn__dur(cx, obj, path, "offset", false, offset) && *offset >= *span) {
        jsn_path_key(p, sizeof p, path, "offset");
        SCN__ERR(cx, scn__member(obj, "offset"), p, "found %g s, expected a duration below %s (%g s)", *offset, key, *span);
        return false;
    }
    return true;
}

/* customers.arrivals.profile {"period", "weights", "offset"} and .levels {"every",
 * "values", "offset"}: the rate's shape (sim_rate.h). A profile's bins must be at least a
 * second wide. */
static void scn__shape(scn__ctx *cx, const cJSON *a)
{
    scn_scenario *s = cx->s;
    const char *pp = "customers.arrivals.profile", *lp = "customers.arrivals.levels";
    const cJSON *pr = scn__obj(cx, a, "customers.arrivals", "profile", false);
    if (pr) {
        jsn_check_keys(cx->doc, cx->diag, pr, pp, k_profile);
        bool ok = scn__span_offset(cx, pr, pp, "period", &s->profile_period, &s->profile_offset);
        int n = 0;
        double *w = scn__weights(cx, pr, pp, "weights", SCN_MAX_PROFILE, "weight", &n);
        if (w && ok && s->profile_period / n < 1) {
            SCN__ERR(cx, scn__member(pr, "weights"), "customers.arrivals.profile.weights",
                     "found %d weights over a period of %g s, expected bins of at least 1 s (at most %d weights)", n,
                     s->profile_period, (int)s->profile_period);
            ok = false;
        }
        if (w && ok) {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += w[i] / n;
            for (int i = 0; i < n; i++) w[i] /= mean;
            s->profile_w = w;
            s->n_profile = n;
        } else free(w);
    }
    const cJSON *lv = scn__obj(cx, a, "customers.arrivals", "levels", false);
    if (lv) {
        jsn_check_keys(cx->doc, cx->diag, lv, lp, k_levels);
        bool ok = scn__span_offset(cx, lv, lp, "every", &s->levels_every, &s->levels_offset);
        int n = 0;
        double *v = scn__weights(cx, lv, lp, "values", SCN_MAX_LEVELS, "level", &n);
        if (v && ok) { s->levels = v; s->n_levels = n; }
        else free(v);
    }
}

/* customers.arrivals: the arrival process (poisson, deterministic or a trace) and its rates. */
static void scn__arrivals(scn__ctx *cx, const cJSON *c)
{
    scn_scenario *s = cx->s;
    const cJSON *a = scn__obj(cx, c, "customers", "arrivals", true);
    if (!a) return;
    const char *ap = "customers.arrivals";
    jsn_check_keys(cx->doc, cx->diag, a, ap, k_arr);
    char proc[32] = "poisson";
    if (scn__str(cx, a, ap, "process", false, proc, sizeof proc)) {
        if (strcmp(proc, "deterministic") == 0) s->deterministic = true;
        else if (strcmp(proc, "trace") == 0) s->trace = true;
        else if (strcmp(proc, "poisson") != 0)
            SCN__ERR(cx, scn__member(a, "process"), "customers.arrivals.process",
                     "unknown arrival process \"%s\", expected \"poisson\", \"deterministic\" or \"trace\"", proc);
    }
    static const char *const trace_keys[] = { "file", "column", "speedup", "map" };
    for (int k = 0; k < 4 && !s->trace; k++)
        if (scn__member(a, trace_keys[k])) {
            char q[96];
            jsn_path_key(q, sizeof q, ap, trace_keys[k]);
            SCN__ERR(cx, scn__member(a, trace_keys[k]), q, "\"%s\" belongs to a trace; expected \"process\": \"trace\" with it", trace_keys[k]);
        }
    if (s->trace) {
        scn__trace(cx, a);
        return;
    }
    bool rate_ok = scn__num(cx, a, ap, "rate", true, 0, 1e9, &s->rate);
    const cJSON *sc = scn__member(a, "schedule");
    if (sc) {
        int n = cJSON_IsArray(sc) ? cJSON_GetArraySize(sc) : -1;
        if (n < 0 || n > SCN_MAX_SCHEDULE)
            SCN__ERR(cx, sc, "customers.arrivals.schedule", "found %s, expected an array of at most %d {\"at\",\"rate\"} entries",
                     n < 0 ? jsn_type_name(sc) : "too many entries", SCN_MAX_SCHEDULE);
        else {
            int i = 0;
            for (const cJSON *e = sc->child; e; e = e->next, i++) {
                char p[96];
                jsn_path_index(p, sizeof p, "customers.arrivals.schedule", i);
                if (!cJSON_IsObject(e)) { SCN__ERR(cx, e, p, "found %s, expected {\"at\",\"rate\"}", jsn_type_name(e)); continue; }
                jsn_check_keys(cx->doc, cx->diag, e, p, k_sched);
                scn__dur(cx, e, p, "at", true, &s->sched_at[i]);
                scn__num(cx, e, p, "rate", true, 0, 1e9, &s->sched_rate[i]);
                if (i > 0 && s->sched_at[i] <= s->sched_at[i - 1])
                    SCN__ERR(cx, scn__member(e, "at"), p, "schedule times must increase: %g s is not after %g s",
                             s->sched_at[i], s->sched_at[i - 1]);
            }
            s->n_sched = n;
        }
    }
    scn__shape(cx, a);
    bool any = s->rate > 0;
    for (int i = 0; i < s->n_sched; i++) any |= s->sched_rate[i] > 0;
    if (!any && rate_ok)
        SCN__ERR(cx, scn__member(a, "rate"), "customers.arrivals.rate", "found 0, expected a rate > 0 (customers per second), here or in the schedule");
}

/* A segment's retry = {"probability", "max", "delay"}: probability 0..1 (default 1), max
 * retries per order 0..1000 (required), delay a duration distribution (default 0). A retry of
 * order j is order j + orders placed per visit, and order indexes stay below 2^16 (they key
 * the random streams), so orders per visit x (max + 1) may not exceed 65536. */
static void scn__retry(scn__ctx *cx, const cJSON *e, const char *path, scn_segment *g)
{
    g->retry_delay = (sim_dist){ .kind = SIM_CONST, .a = 0 };
    const cJSON *r = scn__obj(cx, e, path, "retry", false);
    if (!r) return;
    char p[128];
    jsn_path_key(p, sizeof p, path, "retry");
    jsn_check_keys(cx->doc, cx->diag, r, p, k_retry);
    g->retry_probability = 1;
    scn__prob(cx, r, p, "probability", &g->retry_probability);
    int64_t max = 0;
    if (scn__int(cx, r, p, "max", true, 0, 1000, &max)) {
        int64_t per_visit = g->malicious ? g->orders_per_visit : 1;
        if (per_visit * (max + 1) > 65536) {
            char q[160];
            jsn_path_key(q, sizeof q, p, "max");
            SCN__ERR(cx, scn__member(r, "max"), q, "found %lld, expected at most %lld: orders_per_visit (%lld) x (max + 1) may not exceed 65536",
                     (long long)max, (long long)(65536 / per_visit - 1), (long long)per_visit);
        } else {
            g->retry_max = (int)max;
        }
    }
    scn__dist(cx, r, p, "delay", true, &g->retry_delay);
}

/* One element of customers.segments (object `e` at path `p`) into `g`: defaults first, then
 * each key. A new segment key is read here (and listed in k_seg). */
static void scn__segment(scn__ctx *cx, const cJSON *e, const char *p, scn_segment *g)
{
    g->quantity = (sim_dist){ .kind = SIM_CONST, .a = 1 };
    g->basket = (sim_dist){ .kind = SIM_CONST, .a = 1 };
    g->think = (sim_dist){ .kind = SIM_CONST, .a = 0 };
    g->return_delay = (sim_dist){ .kind = SIM_CONST, .a = 3 * 86400 };
    g->cancel_after_pay_delay = (sim_dist){ .kind = SIM_CONST, .a = 0 };
    g->pay_probability = 1;
    g->orders_per_visit = g->accounts_per_visit = 1;
    if (!cJSON_IsObject(e)) { SCN__ERR(cx, e, p, "found %s, expected a segment object", jsn_type_name(e)); return; }
    jsn_check_keys(cx->doc, cx->diag, e, p, k_seg);
    scn__name(cx, e, p, "name", g->name, sizeof g->name);
    scn__num(cx, e, p, "share", true, 0, 1, &g->share);
    scn__bool(cx, e, p, "malicious", &g->malicious);
    scn__dist(cx, e, p, "quantity", false, &g->quantity);
    scn__dist(cx, e, p, "basket_size", false, &g->basket);
    /* Bots pay only when told to (scalpers who buy to resell). */
    if (!scn__prob(cx, e, p, "pay_probability", &g->pay_probability) && g->malicious) g->pay_probability = 0;
    scn__dist(cx, e, p, "think_time", true, &g->think);
    scn__prob(cx, e, p, "cancel_probability", &g->cancel_probability);
    scn__prob(cx, e, p, "modify_probability", &g->modify_probability);
    /* the address change comes think_time after creation unless its own delay is given */
    g->modify_address_delay = g->think;
    scn__prob(cx, e, p, "modify_address_probability", &g->modify_address_probability);
    scn__dist(cx, e, p, "modify_address_delay", true, &g->modify_address_delay);
    scn__prob(cx, e, p, "cancel_after_pay_probability", &g->cancel_after_pay_probability);
    scn__dist(cx, e, p, "cancel_after_pay_delay", true, &g->cancel_after_pay_delay);
    scn__prob(cx, e, p, "return_probability", &g->return_probability);
    scn__dist(cx, e, p, "return_delay", true, &g->return_delay);
    int64_t v;
    if (scn__int(cx, e, p, "orders_per_visit", false, 1, 10000, &v)) g->orders_per_visit = (int)v;
    if (scn__int(cx, e, p, "accounts_per_visit", false, 1, 64, &v)) g->accounts_per_visit = (int)v;
    scn__str(cx, e, p, "coupon", false, g->coupon, sizeof g->coupon);
    scn__prob(cx, e, p, "checkout_abandon_probability", &g->checkout_abandon_probability);
    scn__retry(cx, e, p, g);
    scn__segment_order_rules(cx, e, p, g);
}

/* customers.segments: 1 to SCN_MAX_SEGMENTS segments whose shares sum to 1. */
static void scn__segments(scn__ctx *cx, const cJSON *c)
{
    scn_scenario *s = cx->s;
    const cJSON *segs = scn__member(c, "segments");
    if (!segs) { scn__missing(cx, c, "customers", "segments", "an array of customer segments"); return; }
    int n = cJSON_IsArray(segs) ? cJSON_GetArraySize(segs) : 0;
    if (n < 1 || n > SCN_MAX_SEGMENTS) {
        SCN__ERR(cx, segs, "customers.segments", "found %s, expected an array of 1 to %d segments",
                 cJSON_IsArray(segs) ? "a wrong number of segments" : jsn_type_name(segs), SCN_MAX_SEGMENTS);
        return;
    }
    double total = 0;
    int i = 0;
    for (const cJSON *e = segs->child; e; e = e->next, i++) {
        scn_segment *g = &s->segments[s->n_segments++];
        char p[96];
        jsn_path_index(p, sizeof p, "customers.segments", i);
        scn__segment(cx, e, p, g);
        for (int j = 0; j < i; j++)
            if (g->name[0] && strcmp(s->segments[j].name, g->name) == 0) scn__twice(cx, e, p, "name", "segment", g->name, "customers.segments", j);
        total += g->share;
    }
    if (fabs(total - 1.0) > 1e-9)
        SCN__ERR(cx, segs, "customers.segments", "the segments' shares sum to %.10g, expected 1", total);
}

/* customers: arrivals, max_customers, segments. */
static void scn__customers(scn__ctx *cx, const cJSON *root)
{
    scn_scenario *s = cx->s;
    const cJSON *c = scn__obj(cx, root, "", "customers", true);
    if (!c) return;
    jsn_check_keys(cx->doc, cx->diag, c, "customers", k_cust);
    scn__arrivals(cx, c);
    int64_t mc = 0;
    s->max_customers = UINT64_MAX;
    if (scn__int(cx, c, "customers", "max_customers", false, 0, 9007199254740992.0, &mc)) s->max_customers = (uint64_t)mc;
    scn__segments(cx, c);
}

/* ---- issue 15 items 9-12: mixed processes ----------------------------------------------- */

/* The process number a segment's or catalog entry's "process" names: 0 for the scenario's
 * own process, else a built-in (b2c, virtual, cod) numbered from 1 in order of first
 * mention; -1 when the key is absent or wrong (reported). */
static int scn__process_number(scn__ctx *cx, const cJSON *node, const char *path)
{
    scn_scenario *s = cx->s;
    char name[256], q[128];
    if (!scn__str(cx, node, path, "process", false, name, sizeof name)) return -1;
    jsn_path_key(q, sizeof q, path, "process");
    const fsm_def *def = strcmp(name, s->process) == 0 ? s->fsm : fsm_builtin(name);
    if (!def) {
        SCN__ERR(cx, scn__member(node, "process"), q, "unknown process \"%s\", expected b2c, virtual, cod or the scenario's own process (\"%s\")",
                 name, s->process);
        return -1;
    }
    if (def == s->fsm) return 0;
    for (int i = 0; i < s->n_more_fsms; i++)
        if (s->more_fsms[i] == def) return i + 1;
    s->more_fsms[s->n_more_fsms++] = def;   /* at most the three built-ins besides the scenario's */
    return s->n_more_fsms;
}

/* Reads "process" of each catalog entry (goods with their own machine, e.g. virtual goods)
 * and each segment (docs/scenarios.md, "Mixed processes"). Runs after the scenario's own
 * process is resolved. */
static void scn__processes(scn__ctx *cx, const cJSON *root)
{
    scn_scenario *s = cx->s;
    for (int i = 0; i < s->n_skus; i++) s->skus[i].process = -1;
    for (int i = 0; i < s->n_segments; i++) s->segments[i].process = -1;
    if (!s->fsm) return;                      /* the scenario's process failed: reported already */
    const cJSON *cat = scn__member(root, "catalog"), *cust = scn__member(root, "customers");
    const cJSON *segs = cJSON_IsObject(cust) ? scn__member(cust, "segments") : NULL;
    char p[96];
    int i = 0;
    for (const cJSON *e = cJSON_IsArray(cat) ? cat->child : NULL; e && i < s->n_skus; e = e->next, i++) {
        jsn_path_index(p, sizeof p, "catalog", i);
        if (cJSON_IsObject(e)) s->skus[i].process = scn__process_number(cx, e, p);
    }
    i = 0;
    for (const cJSON *e = cJSON_IsArray(segs) ? segs->child : NULL; e && i < s->n_segments; e = e->next, i++) {
        jsn_path_index(p, sizeof p, "customers.segments", i);
        if (cJSON_IsObject(e)) s->segments[i].process = scn__process_number(cx, e, p);
    }
}

void scn_process_label(const scn_scenario *s, char *buf, size_t n)
{
    size_t used = (size_t)snprintf(buf, n, "%s", fsm_name(s->fsm));
    for (int i = 0; i < s->n_more_fsms && used < n; i++) used += (size_t)snprintf(buf + used, n - used, "+%s", fsm_name(s->more_fsms[i]));
}

/* ---- issue 15 items 9-12: read traffic ------------------------------------------------- */

/* Reads each segment's "reads": {"per_order": n, "service": distribution}, the order-list
 * and order-detail requests each of its orders brings to the order service
 * (docs/scenarios.md). */
static void scn__reads(scn__ctx *cx, const cJSON *root)
{
    scn_scenario *s = cx->s;
    const cJSON *cust = scn__member(root, "customers");
    const cJSON *segs = cJSON_IsObject(cust) ? scn__member(cust, "segments") : NULL;
    int i = 0;
    for (const cJSON *e = cJSON_IsArray(segs) ? segs->child : NULL; e && i < s->n_segments; e = e->next, i++) {
        scn_segment *g = &s->segments[i];
        g->read_service = (sim_dist){ .kind = SIM_CONST, .a = 0 };
        char p[96], q[128];
        jsn_path_index(p, sizeof p, "customers.segments", i);
        const cJSON *r = cJSON_IsObject(e) ? scn__obj(cx, e, p, "reads", false) : NULL;
        if (!r) continue;
        jsn_path_key(q, sizeof q, p, "reads");
        jsn_check_keys(cx->doc, cx->diag, r, q, k_reads);
        scn__num(cx, r, q, "per_order", true, 0, 1000, &g->reads_per_order);
        if (!scn__member(r, "service")) scn__missing(cx, r, q, "service", "a service-time distribution");
        else scn__dist(cx, r, q, "service", true, &g->read_service);
    }
}

/* A positive duration (a timeout): absent leaves *out as it is. */
static void scn__timeout(scn__ctx *cx, const cJSON *obj, const char *path, const char *key, double *out)
{
    char p[160];
    jsn_path_key(p, sizeof p, path, key);
    if (scn__dur(cx, obj, path, key, false, out) && *out <= 0)
        SCN__ERR(cx, scn__member(obj, key), p, "found 0, expected a duration > 0");
}

/* A station {servers, service} and, where `keys` allows it, its queue timeout. */
static void scn__station(scn__ctx *cx, const cJSON *parent, const char *path, const char *key, scn_station *st,
                         const char *const *keys)
{
    char p[96];
    jsn_path_key(p, sizeof p, path, key);
    st->timeout = INFINITY;
    const cJSON *o = scn__obj(cx, parent, path, key, false);
    if (!o) return;
    jsn_check_keys(cx->doc, cx->diag, o, p, keys);
    scn__timeout(cx, o, p, "timeout", &st->timeout);
    int64_t n = 0;
    if (scn__int(cx, o, p, "servers", true, 1, 1e7, &n)) st->servers = (int)n;
    if (!scn__member(o, "service")) scn__missing(cx, o, p, "service", "a service-time distribution");
    else scn__dist(cx, o, p, "service", true, &st->service);
}

/* Turns the arena offsets stored in empirical distributions into pointers. */
static void scn__fix(sim_dist *d, const scn_scenario *s)
{
    if ((d->kind != SIM_EMPIRICAL && d->kind != SIM_MIXTURE) || !d->n) return;
    d->values = s->arena_d + (uintptr_t)d->values;
    d->cum = s->arena_d + (uintptr_t)d->cum;
}

static uint64_t scn__fnv(const char *t)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *t; t++) h = (h ^ (unsigned char)*t) * 0x100000001b3ULL;
    return h;
}

const char *const scn_station_names[SCN_STATIONS] = { "order_service", "payment", "warehouse", "inventory", "inventory_db",
                                                      "waiting_room" };

/* Top-level scalars: name, description, currency, file, seed, horizon, warmup. */
static void scn__head(scn__ctx *cx, const cJSON *root)
{
    scn_scenario *s = cx->s;
    scn__str(cx, root, "", "name", true, s->name, sizeof s->name);
    const cJSON *desc = scn__member(root, "description");
    if (desc && !cJSON_IsString(desc)) SCN__ERR(cx, desc, "description", "found %s, expected a string", jsn_type_name(desc));
    s->description = xstrdup(cJSON_IsString(desc) ? desc->valuestring : "");
    /* currency: a 3-letter code (ISO 4217) that reports print after money amounts */
    if (scn__str(cx, root, "", "currency", false, s->currency, sizeof s->currency) &&
        !(strlen(s->currency) == 3 && strspn(s->currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 3)) {
        SCN__ERR(cx, scn__member(root, "currency"), "currency", "found \"%s\", expected a 3-letter ISO 4217 code such as \"EUR\"", s->currency);
        s->currency[0] = '\0';
    }
    s->file = xstrdup(jsn_file(cx->doc));
    int64_t seed = 1;
    scn__int(cx, root, "", "seed", false, 0, 9007199254740992.0, &seed);
    s->seed = (uint64_t)seed;
    if (scn__dur(cx, root, "", "horizon", true, &s->horizon) && s->horizon <= 0)
        SCN__ERR(cx, scn__member(root, "horizon"), "horizon", "found 0, expected a duration > 0");
    else if (s->horizon > ORD_MAX_AGE)   /* order times are recorded exactly up to that age */
        SCN__ERR(cx, scn__member(root, "horizon"), "horizon", "found %g s, expected at most %g s (34 years)", s->horizon, ORD_MAX_AGE);
    if (scn__dur(cx, root, "", "warmup", false, &s->warmup) && s->warmup >= s->horizon && s->horizon > 0)
        SCN__ERR(cx, scn__member(root, "warmup"), "warmup", "found %g s, expected less than the horizon (%g s)", s->warmup, s->horizon);
}

/* inventory.store: the kind, then every key of every kind (keys of another kind than the one
 * chosen are read and validated, then ignored with a warning: scn_warn), with their
 * defaults. hold is required by row_lock and buckets. */
static void scn__store(scn__ctx *cx, const cJSON *inv)
{
    scn_store *st = &cx->s->store;
    *st = (scn_store){ .kind = SCN_STORE_INSTANT, .timeout = INFINITY, .buckets = 8, .probes = 1,
                       .hold = { .kind = SIM_CONST, .a = 0.0001 }, .sync_delay = { .kind = SIM_CONST, .a = 0 },
                       .db_hold = { .kind = SIM_CONST, .a = 0 } };
    const cJSON *o = inv ? scn__obj(cx, inv, "inventory", "store", false) : NULL;
    if (!o) return;
    const char *p = "inventory.store";
    jsn_check_keys(cx->doc, cx->diag, o, p, k_store);
    static const char *const kinds[] = { "instant", "row_lock", "buckets", "cache" };
    char kind[32] = "instant";
    if (scn__str(cx, o, p, "kind", false, kind, sizeof kind)) {
        int k = os_name_find(kinds, 4, kind);
        if (k < 0) {
            const char *best = os_name_closest(kinds, 4, kind, 3);
            SCN__ERR(cx, scn__member(o, "kind"), "inventory.store.kind", "found \"%s\"%s%s%s, expected instant, row_lock, buckets or cache",
                     kind, best ? " (did you mean \"" : "", best ? best : "", best ? "\"?)" : "");
        } else if (k == SCN_STORE_BUCKETS || k == SCN_STORE_CACHE) {
            /* named so that scenarios and sweeps can be written against them; not built yet */
            SCN__ERR(cx, scn__member(o, "kind"), "inventory.store.kind", "\"%s\" is not available in this version, expected instant or row_lock",
                     kind);
        } else {
            st->kind = (scn_store_kind)k;
        }
    }
    for (int i = 0; i < SCN_SK_COUNT; i++)
        if (scn__member(o, k_store[i + 1])) st->given |= 1u << i;
    if (scn__member(o, "hold")) scn__dist(cx, o, p, "hold", true, &st->hold);
    else if (st->kind == SCN_STORE_ROW_LOCK || st->kind == SCN_STORE_BUCKETS)
        scn__missing(cx, o, p, "hold", "a hold-time distribution (how long an operation holds its row)");
    int64_t n = 0;
    if (scn__int(cx, o, p, "connections", false, 1, 1e7, &n)) st->connections = (int)n;
    if (scn__dur(cx, o, p, "timeout", false, &st->timeout) && st->timeout <= 0)
        SCN__ERR(cx, scn__member(o, "timeout"), "inventory.store.timeout", "found 0, expected a duration > 0");
    if (scn__int(cx, o, p, "buckets", false, 2, 1024, &n)) st->buckets = (int)n;
    if (scn__int(cx, o, p, "probes", false, 0, 1023, &n)) st->probes = (int)n;
    if (st->probes > st->buckets - 1 && scn__member(o, "probes") && st->kind == SCN_STORE_BUCKETS)
        SCN__ERR(cx, scn__member(o, "probes"), "inventory.store.probes", "found %d, expected at most buckets - 1 = %d",
                 st->probes, st->buckets - 1);
    if (scn__member(o, "sync_delay")) scn__dist(cx, o, p, "sync_delay", true, &st->sync_delay);
    if (scn__member(o, "db_hold")) scn__dist(cx, o, p, "db_hold", true, &st->db_hold);
    char loss[32];
    if (scn__str(cx, o, p, "on_cache_loss", false, loss, sizeof loss)) {
        if (strcmp(loss, "reload_from_db") == 0) st->reload_from_db = true;
        else if (strcmp(loss, "reject_until_synced") != 0)
            SCN__ERR(cx, scn__member(o, "on_cache_loss"), "inventory.store.on_cache_loss",
                     "found \"%s\", expected \"reject_until_synced\" or \"reload_from_db\"", loss);
    }
}

/* inventory: strategy, order_expiry, revalidate_before_payment, oversell. */
static void scn__inventory(scn__ctx *cx, const cJSON *root)
{
    scn_scenario *s = cx->s;
    snprintf(s->strategy, sizeof s->strategy, "reduce_on_order");
    s->order_expiry = 15 * 60;
    const cJSON *inv = scn__obj(cx, root, "", "inventory", false);
    scn__store(cx, inv);
    if (!inv) return;
    jsn_check_keys(cx->doc, cx->diag, inv, "inventory", k_inv);
    if (scn__str(cx, inv, "inventory", "strategy", false, s->strategy, sizeof s->strategy) && !inv_strategy_find(s->strategy)) {
        const char *names[8];
        int n = 0;
        char list[256] = "";
        for (const inv_strategy *const *st = inv_strategies(); *st && n < 8; st++) names[n++] = (*st)->name;
        for (int i = 0; i < n; i++)       /* "a, b or c" */
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i == 0 ? "" : i + 1 < n ? ", " : " or ", names[i]);
        const char *best = os_name_closest(names, n, s->strategy, 3);
        SCN__ERR(cx, scn__member(inv, "strategy"), "inventory.strategy", "unknown strategy \"%s\"%s%s%s, expected %s",
                 s->strategy, best ? " (did you mean \"" : "", best ? best : "", best ? "\"?)" : "", list);
    }
    if (scn__dur(cx, inv, "inventory", "order_expiry", false, &s->order_expiry) && s->order_expiry <= 0)
        SCN__ERR(cx, scn__member(inv, "order_expiry"), "inventory.order_expiry", "found 0, expected a duration > 0");
    scn__bool(cx, inv, "inventory", "revalidate_before_payment", &s->revalidate);
    char os_[16] = "allow";
    if (scn__str(cx, inv, "inventory", "oversell", false, os_, sizeof os_)) {
        if (strcmp(os_, "refund") == 0) s->oversell_refund = true;
        else if (strcmp(os_, "allow") != 0)
            SCN__ERR(cx, scn__member(inv, "oversell"), "inventory.oversell", "found \"%s\", expected \"allow\" or \"refund\"", os_);
    }
    const cJSON *disp = scn__obj(cx, inv, "inventory", "display", false);
    if (disp) {
        /* The stock customers see: {"refresh": duration}, 0 = exact. */
        jsn_check_keys(cx->doc, cx->diag, disp, "inventory.display", k_display);
        s->display = scn__dur(cx, disp, "inventory.display", "refresh", true, &s->display_refresh);
    }
}

/* risk: max_unpaid_orders_per_user, bot_detect_probability, false_positive_probability. */
static void scn__risk(scn__ctx *cx, const cJSON *root)
{
    scn_scenario *s = cx->s;
    const cJSON *risk = scn__obj(cx, root, "", "risk", false);
    if (!risk) return;
    jsn_check_keys(cx->doc, cx->diag, risk, "risk", k_risk);
    int64_t mu = 0;
    if (scn__int(cx, risk, "risk", "max_unpaid_orders_per_user", false, 0, 1e9, &mu)) s->max_unpaid = (int32_t)mu;
    scn__prob(cx, risk, "risk", "bot_detect_probability", &s->bot_detect_p);
    scn__prob(cx, risk, "risk", "false_positive_probability", &s->false_positive_p);
}

/* payment: delay, failure_probability, servers. */
static void scn__payment(scn__ctx *cx, const cJSON *root)
{
    scn_scenario *s = cx->s;
    s->pay_delay = (sim_dist){ .kind = SIM_CONST, .a = 0 };
    s->session_timeout = 15 * 60;
    s->pay_timeout = INFINITY;
    const cJSON *pay = scn__obj(cx, root, "", "payment", false);
    if (!pay) return;
    jsn_check_keys(cx->doc, cx->diag, pay, "payment", k_pay);
    scn__dist(cx, pay, "payment", "delay", true, &s->pay_delay);
    scn__prob(cx, pay, "payment", "failure_probability", &s->pay_failure_p);
    int64_t n = 0;
    if (scn__int(cx, pay, "payment", "servers", false, 1, 1e7, &n)) s->pay_servers = (int)n;
    if (scn__dur(cx, pay, "payment", "session_timeout", false, &s->session_timeout) && s->session_timeout <= 0)
        SCN__ERR(cx, scn__member(pay, "session_timeout"), "payment.session_timeout", "found 0, expected a duration > 0");
    scn__timeout(cx, pay, "payment", "timeout", &s->pay_timeout);
    scn__payment_channels(cx, pay);
}

/* stations: order_service, warehouse (payment's servers are payment.servers). */
static void scn__stations(scn__ctx *cx, const cJSON *root)
{
    cx->s->order_service.timeout = cx->s->warehouse.timeout = INFINITY;
    const cJSON *st = scn__obj(cx, root, "", "stations", false);
    if (!st) return;
    jsn_check_keys(cx->doc, cx->diag, st, "stations", k_stations);
    scn__station(cx, st, "stations", "order_service", &cx->s->order_service, k_station_t);
    scn__station(cx, st, "stations", "warehouse", &cx->s->warehouse, k_station);
}

/* ---- the system around the rules: admission, services, faults ---------------------------- */

/* The names a service may not take: the simulator's own stations. */
static const char *const scn__reserved_stations[] = { "order_service", "payment", "warehouse", "inventory", "inventory_db",
                                                      "waiting_room" };

/* admission: rate_limit {rate, burst}, waiting_room {release_rate, capacity, patience},
 * sold_out_flag {ttl}; any combination. */
static void scn__admission(scn__ctx *cx, const cJSON *root)
{
    scn_admission *a = &cx->s->admission;
    a->wr_capacity = INT64_MAX;
    a->rl_burst = 1;
    const cJSON *adm = scn__obj(cx, root, "", "admission", false);
    if (!adm) return;
    jsn_check_keys(cx->doc, cx->diag, adm, "admission", k_adm);
    const cJSON *rl = scn__obj(cx, adm, "admission", "rate_limit", false);
    if (rl) {
        jsn_check_keys(cx->doc, cx->diag, rl, "admission.rate_limit", k_rl);
        a->rate_limit = true;
        if (scn__num(cx, rl, "admission.rate_limit", "rate", true, 0, 1e9, &a->rl_rate) && a->rl_rate <= 0)
            SCN__ERR(cx, scn__member(rl, "rate"), "admission.rate_limit.rate", "found 0, expected a rate > 0 per second");
        scn__num(cx, rl, "admission.rate_limit", "burst", false, 1, 1e9, &a->rl_burst);
    }
    const cJSON *wr = scn__obj(cx, adm, "admission", "waiting_room", false);
    if (wr) {
        jsn_check_keys(cx->doc, cx->diag, wr, "admission.waiting_room", k_wr);
        a->waiting_room = true;
        if (scn__num(cx, wr, "admission.waiting_room", "release_rate", true, 0, 1e9, &a->wr_rate) && a->wr_rate <= 0)
            SCN__ERR(cx, scn__member(wr, "release_rate"), "admission.waiting_room.release_rate",
                     "found 0, expected a rate > 0 per second");
        scn__int(cx, wr, "admission.waiting_room", "capacity", false, 0, 1e12, &a->wr_capacity);
        if (scn__member(wr, "patience"))
            a->wr_has_patience = scn__dist(cx, wr, "admission.waiting_room", "patience", true, &a->wr_patience);
    }
    const cJSON *fl = scn__obj(cx, adm, "admission", "sold_out_flag", false);
    if (fl) {
        jsn_check_keys(cx->doc, cx->diag, fl, "admission.sold_out_flag", k_flag);
        a->sold_out_flag = true;
        if (scn__dur(cx, fl, "admission.sold_out_flag", "ttl", true, &a->flag_ttl) && a->flag_ttl <= 0)
            SCN__ERR(cx, scn__member(fl, "ttl"), "admission.sold_out_flag.ttl", "found 0, expected a duration > 0");
    }
}

/* One of `names` (n of them) at key, into *out; false (with an error) when it is another. */
static bool scn__enum(scn__ctx *cx, const cJSON *obj, const char *path, const char *key, const char *const *names, int n,
                      int *out)
{
    char v[SCN_NAME_MAX];
    if (!scn__str(cx, obj, path, key, false, v, sizeof v)) return false;
    for (int i = 0; i < n; i++)
        if (strcmp(v, names[i]) == 0) { *out = i; return true; }
    char p[160], list[256] = "";
    jsn_path_key(p, sizeof p, path, key);
    for (int i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s\"%s\"", i == 0 ? "" : i + 1 == n ? " or " : ", ", names[i]);
    SCN__ERR(cx, scn__member(obj, key), p, "found \"%s\", expected %s", v, list);
    return false;
}

/* services: [{name, role, servers, service, failure_probability, timeout, retries,
 * on_failure}], called while an order is created; service_calls: sequential | parallel. */
static void scn__services(scn__ctx *cx, const cJSON *root)
{
    scn_scenario *s = cx->s;
    static const char *const calls[] = { "sequential", "parallel" };
    int par = 0;
    if (scn__enum(cx, root, "", "service_calls", calls, 2, &par)) s->service_calls_parallel = par == 1;
    const cJSON *sv = scn__member(root, "services");
    if (!sv) return;
    int n = cJSON_IsArray(sv) ? cJSON_GetArraySize(sv) : -1;
    if (n < 1 || n > SCN_MAX_SERVICES) {
        SCN__ERR(cx, sv, "services", "found %s, expected an array of 1 to %d services {\"name\",\"servers\",\"service\",...}",
                 n < 0 ? jsn_type_name(sv) : n ? "too many services" : "an empty array", SCN_MAX_SERVICES);
        return;
    }
    static const char *const roles[] = { "product", "promotion", "membership", "other" };
    static const char *const onf[] = { "reject", "degrade" };
    int i = 0;
    for (const cJSON *e = sv->child; e; e = e->next, i++) {
        scn_service *v = &s->services[s->n_services++];
        char p[64];
        jsn_path_index(p, sizeof p, "services", i);
        *v = (scn_service){ .role = SCN_ROLE_OTHER, .servers = 1, .timeout = INFINITY };
        if (!cJSON_IsObject(e)) { SCN__ERR(cx, e, p, "found %s, expected a service object", jsn_type_name(e)); continue; }
        jsn_check_keys(cx->doc, cx->diag, e, p, k_svc);
        if (scn__name(cx, e, p, "name", v->name, sizeof v->name)) {
            for (int j = 0; j < i; j++)
                if (strcmp(s->services[j].name, v->name) == 0) scn__twice(cx, e, p, "name", "service", v->name, "services", j);
            for (size_t r = 0; r < sizeof scn__reserved_stations / sizeof *scn__reserved_stations; r++)
                if (strcmp(v->name, scn__reserved_stations[r]) == 0) {
                    char q[96];
                    jsn_path_key(q, sizeof q, p, "name");
                    SCN__ERR(cx, scn__member(e, "name"), q, "\"%s\" is the name of one of the simulator's stations, expected another name",
                             v->name);
                }
        }
        int role = SCN_ROLE_OTHER, f = 0;
        if (scn__enum(cx, e, p, "role", roles, 4, &role)) v->role = (scn_role)role;
        int64_t k = 1;
        if (scn__int(cx, e, p, "servers", true, 1, 1e7, &k)) v->servers = (int)k;
        if (!scn__member(e, "service")) scn__missing(cx, e, p, "service", "a service-time distribution");
        else scn__dist(cx, e, p, "service", true, &v->service);
        scn__prob(cx, e, p, "failure_probability", &v->failure_p);
        scn__timeout(cx, e, p, "timeout", &v->timeout);
        k = 0;
        if (scn__int(cx, e, p, "retries", false, 0, 10, &k)) v->retries = (int)k;
        if (scn__enum(cx, e, p, "on_failure", onf, 2, &f)) v->degrade = f == 1;
    }
}

/* faults: [{target, at, duration, kind, factor}]; a services.NAME target names a listed
 * service (read after services). */
static void scn__faults(scn__ctx *cx, const cJSON *root)
{
    scn_scenario *s = cx->s;
    const cJSON *fl = scn__member(root, "faults");
    if (!fl) return;
    int n = cJSON_IsArray(fl) ? cJSON_GetArraySize(fl) : -1;
    if (n < 1 || n > SCN_MAX_FAULTS) {
        SCN__ERR(cx, fl, "faults", "found %s, expected an array of 1 to %d faults {\"target\",\"at\",\"duration\",\"kind\"}",
                 n < 0 ? jsn_type_name(fl) : n ? "too many faults" : "an empty array", SCN_MAX_FAULTS);
        return;
    }
    static const char *const targets[] = { "payment", "inventory", "cache", "stations.order_service", "stations.warehouse" };
    static const char *const kinds[] = { "outage", "slow" };
    int i = 0;
    for (const cJSON *e = fl->child; e; e = e->next, i++) {
        scn_fault *f = &s->faults[s->n_faults++];
        char p[64], q[96];
        jsn_path_index(p, sizeof p, "faults", i);
        *f = (scn_fault){ .factor = 1 };
        if (!cJSON_IsObject(e)) { SCN__ERR(cx, e, p, "found %s, expected a fault object", jsn_type_name(e)); continue; }
        jsn_check_keys(cx->doc, cx->diag, e, p, k_fault);
        char t[SCN_NAME_MAX + 16] = "";
        jsn_path_key(q, sizeof q, p, "target");
        if (scn__str(cx, e, p, "target", true, t, sizeof t)) {
            int k = -1;
            for (int j = 0; j < 5; j++)
                if (strcmp(t, targets[j]) == 0) k = j;
            if (k >= 0) f->target = (scn_fault_target)k;
            else if (strncmp(t, "services.", 9) == 0) {
                f->target = SCN_FT_SERVICE;
                f->service = -1;
                for (int j = 0; j < s->n_services; j++)
                    if (strcmp(s->services[j].name, t + 9) == 0) f->service = j;
                if (f->service < 0) SCN__ERR(cx, scn__member(e, "target"), q, "found \"%s\", but no service is named \"%s\"", t, t + 9);
            } else {
                SCN__ERR(cx, scn__member(e, "target"), q, "found \"%s\", expected \"payment\", \"inventory\", \"cache\", "
                         "\"stations.order_service\", \"stations.warehouse\" or \"services.NAME\"", t);
            }
        }
        scn__dur(cx, e, p, "at", true, &f->at);
        if (scn__dur(cx, e, p, "duration", true, &f->duration) && f->duration <= 0) {
            jsn_path_key(q, sizeof q, p, "duration");
            SCN__ERR(cx, scn__member(e, "duration"), q, "found 0, expected a duration > 0");
        }
        int kind = 0;
        if (scn__enum(cx, e, p, "kind", kinds, 2, &kind)) f->slow = kind == 1;
        jsn_path_key(q, sizeof q, p, "factor");
        if (f->slow) scn__num(cx, e, p, "factor", true, 1, 1e6, &f->factor);
        else if (scn__member(e, "factor"))
            SCN__ERR(cx, scn__member(e, "factor"), q, "a factor belongs to kind \"slow\"; an outage has none");
    }
}

/* fulfilment: delivery, auto_confirm_after, complete_after, restock_probability. */
static void scn__fulfilment(scn__ctx *cx, const cJSON *root)
{
    scn_scenario *s = cx->s;
    s->delivery = (sim_dist){ .kind = SIM_CONST, .a = 0 };
    s->auto_confirm_after = s->complete_after = 7 * 86400;
    s->restock_p = 1;
    const cJSON *ful = scn__obj(cx, root, "", "fulfilment", false);
    if (!ful) return;
    jsn_check_keys(cx->doc, cx->diag, ful, "fulfilment", k_ful);
    scn__dist(cx, ful, "fulfilment", "delivery", true, &s->delivery);
    scn__dur(cx, ful, "fulfilment", "auto_confirm_after", false, &s->auto_confirm_after);
    scn__dur(cx, ful, "fulfilment", "complete_after", false, &s->complete_after);
    scn__prob(cx, ful, "fulfilment", "restock_probability", &s->restock_p);
    scn__fulfilment_merchant(cx, ful);
}

/* process: a built-in name, or a definition file relative to the scenario's directory, which
 * is loaded and must pass the linter. */
static void scn__process(scn__ctx *cx, const cJSON *root)
{
    scn_scenario *s = cx->s;
    jsn_doc *doc = cx->doc;
    os_diag *diag = cx->diag;
    snprintf(s->process, sizeof s->process, "b2c");
    if (!scn__str(cx, root, "", "process", false, s->process, sizeof s->process) || fsm_builtin(s->process)) {
        s->fsm = fsm_builtin(s->process);
        return;
    }
    char path[512];
    pth_beside(jsn_file(doc), s->process, path, sizeof path);   /* relative to the scenario's directory */
    if (!strchr(s->process, '/') && !strstr(s->process, ".json")) {
        SCN__ERR(cx, scn__member(root, "process"), "process",
                 "unknown process \"%s\", expected b2c, virtual, cod or the path of a definition file", s->process);
        return;
    }
    os_diag sub;
    os_diag_init(&sub);
    const fsm_def *def = NULL;
    if (fsm_open(path, &def, &sub) != OS_OK) {
        SCN__ERR(cx, scn__member(root, "process"), "process", "cannot load process definition \"%s\":", path);
        for (int i = 0; i < sub.count; i++) os_diag_add(diag, "  %s", sub.msgs[i]);
    } else if (fsm_lint(def, &sub) > 0) {
        SCN__ERR(cx, scn__member(root, "process"), "process", "process definition \"%s\" fails the linter:", path);
        for (int i = 0; i < sub.count; i++) os_diag_add(diag, "  %s", sub.msgs[i]);
        fsm_free(def);
        def = NULL;
    }
    s->fsm = def;
    os_diag_fini(&sub);
}

/* thresholds: {"FIGURE": "OP NUMBER", ...} in the reports' condition grammar. */
/* True when the catalog has a SKU named `name`. */
static bool scn__sku_named(const scn_scenario *s, const char *name)
{
    for (int i = 0; i < s->n_skus; i++)
        if (strcmp(s->skus[i].sku, name) == 0) return true;
    return false;
}

static void scn__thresholds(scn__ctx *cx, const cJSON *root)
{
    scn_scenario *s = cx->s;
    const cJSON *th = scn__obj(cx, root, "", "thresholds", false);
    if (!th) return;
    for (const cJSON *e = th->child; e; e = e->next) {
        char p[160];
        jsn_path_key(p, sizeof p, "thresholds", e->string);
        if (s->n_thresholds == SCN_MAX_THRESHOLDS) { SCN__ERR(cx, e, p, "too many thresholds: at most %d", SCN_MAX_THRESHOLDS); break; }
        scn_threshold *t = &s->thresholds[s->n_thresholds];
        char err[512];
        int col;
        if (strlen(e->string) >= sizeof t->name) {
            jsn_error(cx->doc, cx->diag, e, true, p, "figure name too long (at most %zu characters)", sizeof t->name - 1);
            continue;
        }
        if (!rpt_ref_parse(e->string, scn_station_names, SCN_STATIONS, &t->ref, err, sizeof err, &col)) {
            jsn_error(cx->doc, cx->diag, e, true, p, "%s", err);
            continue;
        }
        if (t->ref.key[0] && !scn__sku_named(s, t->ref.key)) {
            jsn_error(cx->doc, cx->diag, e, true, p, "stations.%s.skus.%s: no SKU \"%s\" in the catalog", t->ref.station,
                      t->ref.key, t->ref.key);
            continue;
        }
        if (!cJSON_IsString(e) || !cnd_op_parse(e->valuestring, &t->op, &t->value)) {
            if (cJSON_IsString(e)) SCN__ERR(cx, e, p, "found \"%s\", expected \"OP NUMBER\" with OP one of < <= == != >= >", e->valuestring);
            else SCN__ERR(cx, e, p, "found %s, expected a string \"OP NUMBER\"", jsn_type_name(e));
            continue;
        }
        snprintf(t->name, sizeof t->name, "%s", e->string);
        s->n_thresholds++;
    }
}

/* report: sample_every (default horizon / 1000, at least 1 s; at most 2e6 samples). */
static void scn__report(scn__ctx *cx, const cJSON *root)
{
    scn_scenario *s = cx->s;
    s->sample_every = s->horizon / 1000 > 1 ? s->horizon / 1000 : 1;
    const cJSON *rep = scn__obj(cx, root, "", "report", false);
    if (rep) {
        jsn_check_keys(cx->doc, cx->diag, rep, "report", k_report);
        if (scn__dur(cx, rep, "report", "sample_every", false, &s->sample_every) && s->sample_every <= 0)
            SCN__ERR(cx, scn__member(rep, "sample_every"), "report.sample_every", "found 0, expected a duration > 0");
    }
    if (s->horizon > 0 && s->sample_every > 0 && s->horizon / s->sample_every > 2e6)
        SCN__ERR(cx, scn__member(rep, "sample_every") ? scn__member(rep, "sample_every") : root, "report.sample_every",
                 "%g samples over the horizon; at most 2000000 (raise sample_every)", s->horizon / s->sample_every);
}

/* Turns every distribution's arena offsets into pointers, once the arena stops growing. A new
 * distribution-valued key is fixed up here. */
static void scn__fix_all(scn_scenario *s)
{
    for (int i = 0; i < s->n_segments; i++) {
        scn_segment *g = &s->segments[i];
        scn__fix(&g->quantity, s); scn__fix(&g->basket, s); scn__fix(&g->think, s); scn__fix(&g->return_delay, s);
        scn__fix(&g->cancel_after_pay_delay, s); scn__fix(&g->retry_delay, s);
        scn__fix(&g->read_service, s); scn__fix(&g->refund_delay, s); scn__fix(&g->modify_address_delay, s);
    }
    scn__fix(&s->pay_delay, s); scn__fix(&s->order_service.service, s); scn__fix(&s->warehouse.service, s);
    scn__fix(&s->delivery, s);
    scn__fix(&s->store.hold, s); scn__fix(&s->store.sync_delay, s); scn__fix(&s->store.db_hold, s);
    for (int i = 0; i < s->n_channels; i++) scn__fix(&s->channels[i].delay, s);
    scn__fix(&s->admission.wr_patience, s);
    for (int i = 0; i < s->n_services; i++) scn__fix(&s->services[i].service, s);
}

/* Reads every section in document order of the format (the order of error messages follows
 * it). A new section gets its own reader, called here. */
os_status scn_from_doc(jsn_doc *doc, scn_scenario **out, os_diag *diag)
{
    *out = NULL;
    int before = diag->count;
    const cJSON *root = jsn_root(doc);
    if (!cJSON_IsObject(root)) {
        jsn_error(doc, diag, root, false, "", "found %s, expected a scenario object", jsn_type_name(root));
        return OS_EDATA;
    }
    scn_scenario *s = xcalloc(1, sizeof *s);
    scn__ctx cx = { doc, diag, s };
    jsn_check_keys(doc, diag, root, "", k_top);
    scn__head(&cx, root);
    scn__catalog(&cx, root);
    scn__promotions(&cx, root);
    scn__membership(&cx, root);
    scn__promotion_stack(&cx, root);
    scn__inventory(&cx, root);
    scn__risk(&cx, root);
    scn__customers(&cx, root);
    scn__payment(&cx, root);
    scn__stations(&cx, root);
    scn__admission(&cx, root);
    scn__services(&cx, root);
    scn__faults(&cx, root);
    scn__fulfilment(&cx, root);
    scn__process(&cx, root);
    scn__processes(&cx, root);
    scn__reads(&cx, root);
    scn__thresholds(&cx, root);
    scn__report(&cx, root);
    if (diag->count > before) {
        scn_free(s);
        return OS_EDATA;
    }
    scn__fix_all(s);
    s->resolved_json = cJSON_PrintUnformatted(root);
    OS_ASSERT(s->resolved_json);
    s->hash = scn__fnv(s->resolved_json);
    *out = s;
    return OS_OK;
}

os_status scn_load(const char *path, const char *const *sets, int nsets, scn_scenario **out, os_diag *diag)
{
    return scn_load_warn(path, sets, nsets, NULL, out, diag, NULL);
}

os_status scn_load_warn(const char *path, const char *const *sets, int nsets, const scn_warn_opts *wo,
                        scn_scenario **out, os_diag *diag, os_diag *warn)
{
    *out = NULL;
    jsn_doc *doc;
    os_status st = jsn_load_file(path, &doc, diag);
    if (st != OS_OK) return st;
    for (int i = 0; i < nsets; i++)
        if (jsn_set(doc, sets[i], diag) != OS_OK) st = OS_EINVAL;
    if (st == OS_OK) st = scn_from_doc(doc, out, diag);
    if (st == OS_OK && warn) scn_warn(*out, doc, wo, warn);
    jsn_free(doc);
    return st;
}

void scn_free(scn_scenario *s)
{
    if (!s) return;
    if (s->fsm) fsm_free(s->fsm);
    free(s->skus);
    free(s->description);
    free(s->file);
    os_diag_fini(&s->warnings);
    free(s->arena_d);
    free(s->profile_w); free(s->levels);
    free(s->trace_t); free(s->trace_cust); free(s->trace_line0); free(s->trace_nlines); free(s->trace_sku); free(s->trace_qty);
    if (s->resolved_json) cJSON_free(s->resolved_json);
    free(s);
}

double scn_timer_seconds(const scn_scenario *s, const fsm_transition *t)
{
    switch ((fsm_after)t->after_kind) {
    case FSM_AFTER_FIXED: return t->after;
    case FSM_AFTER_ORDER_EXPIRY: return s->order_expiry;
    case FSM_AFTER_AUTO_CONFIRM: return s->auto_confirm_after;
    case FSM_AFTER_COMPLETE: return s->complete_after;
    default: return INFINITY;
    }
}
