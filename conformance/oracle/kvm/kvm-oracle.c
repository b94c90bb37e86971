/*
 * hvex KVM oracle ("source kvm").
 *
 * Reads exit cases (JSON Lines, see conformance/FORMAT.md) and runs each case's instruction in a
 * fresh KVM virtual machine, then writes the case back with `expect` filled in from what KVM did
 * and `source` set to "kvm". On this host /dev/kvm is a software hypervisor whose guests that are
 * not PVM-aware are executed by KVM's instruction emulator (arch/x86/kvm/emulate.c), so the
 * result is the emulator's.
 *
 * Per case:
 *   - guest physical memory: every 4 KiB page that holds a `ram` region, a GPA of `pages`, the
 *     code or (paging off) the stack is backed by anonymous memory filled with 0xcc and the
 *     regions' bytes; a page that holds an `mmio` region is not backed, so every access to it
 *     is a KVM_EXIT_MMIO that this program serves from the region's bytes and logs;
 *   - a system area at a free GPA (and GVA) holds a GDT (the case's descriptors mirrored at their
 *     selector indices, plus our own), an IDT whose vector v enters HLT at handler+2v, a TSS (IST1
 *     in long mode), the handlers' stack and, when CR0.PG=1, page tables built from `pages`;
 *   - registers come from the case (KVM_SET_REGS/SREGS/FPU); the vCPU single-steps
 *     (KVM_GUESTDBG_SINGLESTEP) until RIP leaves the instruction (a REP string instruction may
 *     report every iteration), or an exception lands in a handler;
 *   - port I/O exits are served from `ports` and logged.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../json.h"

#define PAGE ((uint64_t)4096)
#define PMASK (~(PAGE - 1))
#define MAXSTEPS 200000
#define SYS_MAX 0x80000ULL   /* system area: 128 pages (16 in real mode) */
#define SYS_SIZE (c->sys_size)
#define SYS_GDT 0x0000
#define SYS_IDT 0x1000
#define SYS_TSS 0x2000
#define SYS_HND 0x3000
#define SYS_STK 0x6000       /* stack top (grows down from here to 0x4000) */
#define SYS_PT 0x6000        /* first page-table page */
#define NGDT 64
#define GDT_CS64 56
#define GDT_CS32 57
#define GDT_DS 58
#define GDT_TSS 60           /* two slots in long mode */

enum { M_REAL16, M_PROT16, M_PROT32, M_COMPAT16, M_COMPAT32, M_LONG64 };
static const char *mode_names[] = {"real16", "prot16", "prot32", "compat16", "compat32", "long64"};
enum { S_CS, S_SS, S_DS, S_ES, S_FS, S_GS, S_TR, S_LDTR, NSEG };
static const char *seg_names[NSEG] = {"cs", "ss", "ds", "es", "fs", "gs", "tr", "ldtr"};
static const char *gpr_names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                    "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

typedef struct { uint16_t sel; uint64_t base, limit; uint16_t attr; } seg_t;
typedef struct { uint64_t gva, gpa; int w, u, x; } page_t;
typedef struct { uint64_t gpa; uint8_t *bytes, *init; size_t len; int mmio; } region_t;
typedef struct { uint16_t port; uint64_t *vals; int n, next; } portq_t;
typedef struct { int io; int write; uint64_t addr; int size; uint64_t data; } access_t;

typedef struct {
    const char *id;
    int mode, cpl, paging;
    uint64_t gpr[16], rip, rflags, cr0, cr3, cr4, efer, mxcsr;
    uint8_t xmm[16][16];
    seg_t seg[NSEG];
    uint64_t gdt_base, gdt_limit, idt_base, idt_limit;
    page_t *pages; int npages;
    region_t *regions; int nregions;
    portq_t *ports; int nports;
    uint8_t insn[16]; int insn_len;
    /* run state */
    uint64_t *bpages; uint8_t **bmem; int nbpages, capbpages; /* backed case pages (GPA page -> host) */
    uint8_t *binit;      /* snapshot of backed pages */
    uint8_t *sys;        /* system area host memory */
    uint64_t sys_gpa, sys_gva, sys_size;
    int npt;             /* page-table pages used */
    access_t *acc; int nacc, capacc;
    int outside;         /* accesses outside all regions */
} kcase;

static char errbuf[600];
#define FAILF(...) do { snprintf(errbuf, sizeof errbuf, __VA_ARGS__); return -1; } while (0)

static int opt_keep = 0, opt_verbose = 0;
static int probe_mode = 0;      /* re-running a CPL 3 case at CPL 0 to tell #UD from emulation failure */
static int last_emul_failure = 0;
static int kvm_fd = -1;
static struct kvm_cpuid2 *cpuid;
static int vcpu_mmap_size;

/* ------------------------------------------------------------------------------------------ */
/* Parsing                                                                                    */

static int parse_u64(const jv *v, uint64_t *out) {
    if (!v) return -1;
    if (v->t == J_NUM) {
        char *e; errno = 0;
        unsigned long long x = strtoull(v->s, &e, 10);
        if (*e || errno) return -1;
        *out = x; return 0;
    }
    if (v->t != J_STR) return -1;
    const char *s = v->s;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
    if (!*s || strlen(s) > 16) return -1;
    char *e;
    unsigned long long x = strtoull(s, &e, 16);
    if (*e) return -1;
    *out = x; return 0;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int parse_hexbytes(const char *s, uint8_t **out, size_t *len) {
    size_t n = strlen(s);
    if (n % 2) return -1;
    uint8_t *b = malloc(n / 2 + 1);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0) { free(b); return -1; }
        b[i] = (uint8_t)(hi << 4 | lo);
    }
    *out = b; *len = n / 2; return 0;
}

static int parse_xmm(const char *s, uint8_t out[16]) {
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
    size_t n = strlen(s);
    if (n == 0 || n > 32) return -1;
    memset(out, 0, 16);
    for (size_t i = 0; i < n; i++) {
        int d = hexval(s[n - 1 - i]);
        if (d < 0) return -1;
        out[i / 2] |= (uint8_t)(d << (4 * (i % 2)));
    }
    return 0;
}

static char *hex64(uint64_t x) {
    static char buf[8][24];
    static int k;
    char *b = buf[k++ & 7];
    snprintf(b, 24, "0x%" PRIx64, x);
    return b;
}

static void free_case(kcase *c) {
    for (int i = 0; i < c->nregions; i++) { free(c->regions[i].bytes); free(c->regions[i].init); }
    for (int i = 0; i < c->nports; i++) free(c->ports[i].vals);
    for (int i = 0; i < c->nbpages; i++) if (c->bmem[i]) munmap(c->bmem[i], PAGE);
    if (c->sys) munmap(c->sys, c->sys_size);
    free(c->regions); free(c->ports); free(c->pages); free(c->bpages); free(c->bmem); free(c->binit); free(c->acc);
    memset(c, 0, sizeof *c);
}

static int is_long(const kcase *c) { return c->mode >= M_COMPAT16; }

static int load_case(const jv *o, kcase *c) {
    memset(c, 0, sizeof *c);
    jv *id = j_get(o, "id");
    c->id = id && id->t == J_STR ? id->s : "?";
    jv *mode = j_get(o, "mode");
    if (!mode || mode->t != J_STR) FAILF("missing key 'mode'");
    c->mode = -1;
    for (int i = 0; i < 6; i++) if (!strcmp(mode->s, mode_names[i])) c->mode = i;
    if (c->mode < 0) FAILF("unknown mode %s", mode->s);
    jv *regs = j_get(o, "regs");
    if (!regs || regs->t != J_OBJ) FAILF("missing key 'regs'");
    for (int i = 0; i < 16; i++) {
        jv *v = j_get(regs, gpr_names[i]);
        if (v && parse_u64(v, &c->gpr[i])) FAILF("bad regs.%s", gpr_names[i]);
    }
    if (j_get(regs, "rip") && parse_u64(j_get(regs, "rip"), &c->rip)) FAILF("bad regs.rip");
    c->rflags = 2;
    if (j_get(regs, "rflags") && parse_u64(j_get(regs, "rflags"), &c->rflags)) FAILF("bad regs.rflags");
    c->cr0 = c->mode == M_REAL16 ? 0x10 : 0x11;
    c->efer = is_long(c) ? 0x500 : 0;
    c->mxcsr = 0x1f80;
    struct { const char *k; uint64_t *p; } ctl[] = {{"cr0", &c->cr0}, {"cr3", &c->cr3}, {"cr4", &c->cr4}, {"efer", &c->efer}, {"mxcsr", &c->mxcsr}};
    for (unsigned i = 0; i < 5; i++)
        if (j_get(regs, ctl[i].k) && parse_u64(j_get(regs, ctl[i].k), ctl[i].p)) FAILF("bad regs.%s", ctl[i].k);
    for (int i = 0; i < 16; i++) {
        char k[8]; snprintf(k, sizeof k, "xmm%d", i);
        jv *v = j_get(regs, k);
        if (v && (v->t != J_STR || parse_xmm(v->s, c->xmm[i]))) FAILF("bad regs.%s", k);
    }
    for (int s = 0; s < NSEG; s++) {
        seg_t *sg = &c->seg[s];
        sg->sel = 0; sg->base = 0;
        sg->limit = c->mode == M_REAL16 ? 0xffff : 0xffffffff;
        if (s == S_CS) sg->attr = c->mode == M_REAL16 ? 0x9b : c->mode == M_LONG64 ? 0xa09b : (c->mode == M_PROT16 || c->mode == M_COMPAT16) ? 0x9b : 0xc09b;
        else if (s == S_TR) { sg->attr = 0x8b; sg->limit = 0x67; }
        else if (s == S_LDTR) { sg->attr = 0x82; sg->limit = 0xffff; }
        else sg->attr = c->mode == M_REAL16 ? 0x93 : 0xc093;
        jv *v = j_get(regs, seg_names[s]);
        if (!v) continue;
        uint64_t x;
        if (parse_u64(j_get(v, "sel"), &x)) FAILF("bad regs.%s.sel", seg_names[s]);
        sg->sel = (uint16_t)x;
        if (parse_u64(j_get(v, "base"), &sg->base)) FAILF("bad regs.%s.base", seg_names[s]);
        if (parse_u64(j_get(v, "limit"), &sg->limit)) FAILF("bad regs.%s.limit", seg_names[s]);
        if (parse_u64(j_get(v, "attr"), &x)) FAILF("bad regs.%s.attr", seg_names[s]);
        sg->attr = (uint16_t)x;
    }
    c->gdt_limit = c->idt_limit = 0xffff;
    jv *t;
    if ((t = j_get(regs, "gdtr"))) { parse_u64(j_get(t, "base"), &c->gdt_base); parse_u64(j_get(t, "limit"), &c->gdt_limit); }
    if ((t = j_get(regs, "idtr"))) { parse_u64(j_get(t, "base"), &c->idt_base); parse_u64(j_get(t, "limit"), &c->idt_limit); }
    c->cpl = c->mode == M_REAL16 ? 0 : (c->seg[S_CS].attr >> 5) & 3;
    jv *cpl = j_get(o, "cpl");
    if (cpl && cpl->t == J_NUM) c->cpl = atoi(cpl->s);
    c->paging = (c->cr0 >> 31) & 1;

    jv *insn = j_get(o, "insn");
    if (!insn || insn->t != J_STR) FAILF("missing key 'insn'");
    {
        uint8_t *b; size_t n;
        if (parse_hexbytes(insn->s, &b, &n) || n > 16) FAILF("bad insn");
        memcpy(c->insn, b, n); c->insn_len = (int)n; free(b);
    }
    jv *pages = j_get(o, "pages");
    if (c->paging && (!pages || pages->t != J_ARR)) FAILF("missing key 'pages' (CR0.PG=1)");
    if (pages && pages->t == J_ARR && c->paging) {
        c->pages = calloc(pages->n + 1, sizeof *c->pages);
        for (size_t i = 0; i < pages->n; i++) {
            jv *p = pages->v[i];
            page_t pg;
            if (parse_u64(j_get(p, "gva"), &pg.gva) || parse_u64(j_get(p, "gpa"), &pg.gpa)) FAILF("bad pages[%zu]", i);
            pg.gva &= PMASK; pg.gpa &= PMASK;
            jv *w = j_get(p, "w"), *u = j_get(p, "u"), *x = j_get(p, "x");
            pg.w = !w || w->t == J_TRUE; pg.u = !u || u->t == J_TRUE; pg.x = !x || x->t == J_TRUE;
            int dup = 0;
            for (int k = 0; k < c->npages; k++) if (c->pages[k].gva == pg.gva) dup = 1;
            if (!dup) c->pages[c->npages++] = pg;
        }
    }
    jv *mem = j_get(o, "mem");
    if (!mem || mem->t != J_ARR) FAILF("missing key 'mem'");
    c->regions = calloc(mem->n + 1, sizeof *c->regions);
    for (size_t i = 0; i < mem->n; i++) {
        jv *m = mem->v[i];
        region_t *r = &c->regions[c->nregions];
        jv *hex = j_get(m, "hex"), *kind = j_get(m, "kind");
        if (parse_u64(j_get(m, "gpa"), &r->gpa) || !hex || hex->t != J_STR || parse_hexbytes(hex->s, &r->bytes, &r->len))
            FAILF("bad mem[%zu]", i);
        r->mmio = kind && kind->t == J_STR && !strcmp(kind->s, "mmio");
        r->init = malloc(r->len + 1);
        memcpy(r->init, r->bytes, r->len);
        c->nregions++;
    }
    jv *ports = j_get(o, "ports");
    if (ports && ports->t == J_ARR) {
        c->ports = calloc(ports->n + 1, sizeof *c->ports);
        for (size_t i = 0; i < ports->n; i++) {
            jv *p = ports->v[i], *vals = j_get(p, "values");
            uint64_t port;
            if (parse_u64(j_get(p, "port"), &port) || !vals || vals->t != J_ARR) FAILF("bad ports[%zu]", i);
            portq_t *q = &c->ports[c->nports++];
            q->port = (uint16_t)port;
            q->vals = calloc(vals->n + 1, sizeof *q->vals);
            for (size_t k = 0; k < vals->n; k++)
                if (parse_u64(vals->v[k], &q->vals[q->n++])) FAILF("bad ports[%zu].values[%zu]", i, k);
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Guest memory model                                                                         */

static int bpage_index(const kcase *c, uint64_t gpa) {
    for (int i = 0; i < c->nbpages; i++) if (c->bpages[i] == (gpa & PMASK)) return i;
    return -1;
}

static int page_has_mmio(const kcase *c, uint64_t pg) {
    for (int r = 0; r < c->nregions; r++) {
        const region_t *rg = &c->regions[r];
        if (rg->mmio && rg->len && rg->gpa < pg + PAGE && rg->gpa + rg->len > pg) return 1;
    }
    return 0;
}

static void add_bpage(kcase *c, uint64_t gpa) {
    gpa &= PMASK;
    if (bpage_index(c, gpa) >= 0 || page_has_mmio(c, gpa)) return;
    if (c->nbpages == c->capbpages) {
        c->capbpages = c->capbpages ? 2 * c->capbpages : 16;
        c->bpages = realloc(c->bpages, c->capbpages * sizeof *c->bpages);
        c->bmem = realloc(c->bmem, c->capbpages * sizeof *c->bmem);
    }
    c->bpages[c->nbpages] = gpa;
    c->bmem[c->nbpages] = NULL;
    c->nbpages++;
}

/* Region containing gpa, and offset. */
static region_t *find_region(kcase *c, uint64_t gpa, size_t *off) {
    for (int r = 0; r < c->nregions; r++) {
        region_t *rg = &c->regions[r];
        if (gpa >= rg->gpa && gpa - rg->gpa < rg->len) { *off = gpa - rg->gpa; return rg; }
    }
    return NULL;
}

/* Host pointer of a guest physical byte: backed memory, the system area, or a region's bytes. */
static uint8_t *gpa_ptr(kcase *c, uint64_t gpa) {
    int i = bpage_index(c, gpa);
    if (i >= 0) return c->bmem[i] + (gpa & (PAGE - 1));
    if (gpa >= c->sys_gpa && gpa < c->sys_gpa + SYS_SIZE) return c->sys + (gpa - c->sys_gpa);
    size_t off;
    region_t *rg = find_region(c, gpa, &off);
    return rg ? rg->bytes + off : NULL;
}

/* Linear -> GPA for the case's view (system area included). Returns -1 when not mapped. */
static int translate(const kcase *c, uint64_t lin, uint64_t *gpa) {
    if (!c->paging) { *gpa = c->mode == M_REAL16 ? lin : (lin & 0xffffffffULL); return 0; }
    if (lin >= c->sys_gva && lin < c->sys_gva + SYS_SIZE) { *gpa = c->sys_gpa + (lin - c->sys_gva); return 0; }
    for (int i = 0; i < c->npages; i++)
        if (c->pages[i].gva == (lin & PMASK)) { *gpa = c->pages[i].gpa | (lin & (PAGE - 1)); return 0; }
    return -1;
}

static uint64_t lin_of(const kcase *c, int s, uint64_t off, int width) {
    if (width == 16) off &= 0xffff;
    else if (width == 32) off &= 0xffffffffULL;
    uint64_t lin = c->seg[s].base + off;
    if (c->mode == M_LONG64) return lin;
    if (c->mode == M_REAL16) return lin & 0x1fffff;
    return lin & 0xffffffffULL;
}

static int code_width(const kcase *c) {
    if (c->mode == M_LONG64) return 64;
    if (c->mode == M_REAL16) return 16;
    return (c->seg[S_CS].attr >> 14) & 1 ? 32 : 16;
}

static int stack_width(const kcase *c) {
    if (c->mode == M_LONG64) return 64;
    if (c->mode == M_REAL16) return 16;
    return (c->seg[S_SS].attr >> 14) & 1 ? 32 : 16;
}

/* ------------------------------------------------------------------------------------------ */
/* System area: GDT, IDT, TSS, handlers, stack, page tables                                   */

static int range_free_gpa(const kcase *c, uint64_t base, uint64_t size) {
    for (int i = 0; i < c->nbpages; i++) if (c->bpages[i] >= base && c->bpages[i] < base + size) return 0;
    for (int r = 0; r < c->nregions; r++) {
        const region_t *rg = &c->regions[r];
        if (rg->gpa < base + size && rg->gpa + rg->len > base) return 0;
    }
    for (int i = 0; i < c->npages; i++) if (c->pages[i].gpa >= base && c->pages[i].gpa < base + size) return 0;
    return 1;
}

static int range_free_gva(const kcase *c, uint64_t base, uint64_t size) {
    for (int i = 0; i < c->npages; i++) if (c->pages[i].gva >= base && c->pages[i].gva < base + size) return 0;
    return 1;
}

static int choose_sys(kcase *c) {
    c->sys_size = c->mode == M_REAL16 ? 0x10000 : SYS_MAX;
    if (c->mode == M_REAL16) {
        /* The handlers must be reachable with a 16-bit offset: a 64 KiB-aligned block below 1 MiB. */
        for (uint64_t b = 0x90000; b >= 0x10000; b -= 0x10000)
            if (range_free_gpa(c, b, 0x10000)) { c->sys_gpa = c->sys_gva = b; return 0; }
        FAILF("no free 64 KiB block below 1 MiB for the IVT and handlers");
    }
    static const uint64_t cand[] = {0x40000000, 0x60000000, 0x20000000, 0x70000000, 0x10000000, 0x30000000, 0x50000000,
                                    0xe0000000, 0x01000000, 0x02000000, 0x08000000, 0x90000000, 0xb0000000, 0x00200000};
    for (unsigned i = 0; i < sizeof cand / sizeof *cand; i++) {
        uint64_t b = cand[i];
        if (!range_free_gpa(c, b, SYS_SIZE)) continue;
        if (c->paging && !range_free_gva(c, b, SYS_SIZE)) continue;
        /* Paging off: the system area is at linear = GPA; keep it away from the case's segments' reach
           only through the GPA check above (the case has no memory there). */
        c->sys_gpa = c->sys_gva = b;
        return 0;
    }
    FAILF("no free range for the system area");
}

static uint64_t make_desc(uint64_t base, uint64_t limit, uint16_t attr) {
    uint64_t lim = (attr & 0x8000) ? limit >> 12 : limit;
    return (lim & 0xffff) | (base & 0xffffff) << 16 | (uint64_t)(attr & 0xff) << 40 | ((lim >> 16) & 0xf) << 48 |
           (uint64_t)((attr >> 12) & 0xf) << 52 | ((base >> 24) & 0xff) << 56;
}

static uint64_t alloc_pt(kcase *c) {
    uint64_t off = SYS_PT + (uint64_t)c->npt * PAGE;
    if (off + PAGE > SYS_SIZE) return 0;
    c->npt++;
    memset(c->sys + off, 0, PAGE);
    return c->sys_gpa + off;
}

static uint64_t *pt_host(kcase *c, uint64_t gpa) { return (uint64_t *)(c->sys + (gpa - c->sys_gpa)); }

static int map_page(kcase *c, uint64_t gva, uint64_t gpa, int w, int u, int x) {
    int nxe = (c->efer >> 11) & 1;
    uint64_t leaf = (gpa & PMASK) | 1 | (w ? 2 : 0) | (u ? 4 : 0) | 0x60; /* A, D */
    if (c->cr4 & 0x20) { /* PAE or 4-level */
        if (nxe && !x) leaf |= 1ULL << 63;
        int levels = is_long(c) ? 4 : 3;
        uint64_t table = c->cr3;
        for (int lv = levels; lv > 1; lv--) {
            int shift = 12 + 9 * (lv - 1);
            int idx = (int)((gva >> shift) & (lv == 3 && levels == 3 ? 3 : 511));
            uint64_t *e = &pt_host(c, table)[idx];
            if (!(*e & 1)) {
                uint64_t n = alloc_pt(c);
                if (!n) return -1;
                *e = n | ((levels == 3 && lv == 3) ? 1 : 0x27);
            }
            table = *e & 0x000ffffffffff000ULL;
        }
        pt_host(c, table)[(gva >> 12) & 511] = leaf;
    } else {
        uint32_t *pd = (uint32_t *)pt_host(c, c->cr3);
        uint32_t *e = &pd[(gva >> 22) & 1023];
        if (!(*e & 1)) {
            uint64_t n = alloc_pt(c);
            if (!n) return -1;
            *e = (uint32_t)n | 0x27;
        }
        ((uint32_t *)pt_host(c, *e & 0xfffff000u))[(gva >> 12) & 1023] = (uint32_t)leaf;
    }
    return 0;
}

static int build_sys(kcase *c) {
    uint8_t *s = c->sys;
    memset(s, 0, SYS_SIZE);
    /* Handlers: vector v enters at SYS_HND + 2v: HLT; HLT. */
    memset(s + SYS_HND, 0xf4, 0x200);
    if (c->mode == M_REAL16) {
        uint16_t *ivt = (uint16_t *)(s + SYS_IDT);
        for (int v = 0; v < 32; v++) { ivt[2 * v] = (uint16_t)(SYS_HND + 2 * v); ivt[2 * v + 1] = (uint16_t)(c->sys_gpa >> 4); }
        return 0;
    }
    uint64_t *gdt = (uint64_t *)(s + SYS_GDT);
    /* The case's descriptors at their selector indices, so that segment loads see the same state. */
    for (int k = 0; k < S_TR; k++) {
        const seg_t *sg = &c->seg[k];
        int idx = sg->sel >> 3;
        if ((sg->sel & 4) || idx == 0 || idx >= GDT_CS64 || gdt[idx] || !(sg->attr & 0x80)) continue;
        gdt[idx] = make_desc(sg->base, sg->limit, sg->attr | 1);
    }
    gdt[GDT_CS64] = make_desc(0, 0xffffffff, 0xa09b);
    gdt[GDT_CS32] = make_desc(0, 0xffffffff, 0xc09b);
    gdt[GDT_DS] = make_desc(0, 0xffffffff, 0xc093);
    uint64_t tss = c->sys_gva + SYS_TSS;
    gdt[GDT_TSS] = make_desc(tss, 0x67, 0x8b);
    if (is_long(c)) {
        gdt[GDT_TSS + 1] = tss >> 32;
        *(uint64_t *)(s + SYS_TSS + 4) = c->sys_gva + SYS_STK;    /* RSP0 */
        *(uint64_t *)(s + SYS_TSS + 0x24) = c->sys_gva + SYS_STK; /* IST1 */
        uint64_t h = c->sys_gva + SYS_HND;
        for (int v = 0; v < 32; v++) {
            uint8_t *g = s + SYS_IDT + 16 * v;
            uint64_t off = h + 2 * v;
            *(uint16_t *)(g + 0) = (uint16_t)off;
            *(uint16_t *)(g + 2) = GDT_CS64 << 3;
            g[4] = 1; /* IST1 */
            g[5] = 0x8e;
            *(uint16_t *)(g + 6) = (uint16_t)(off >> 16);
            *(uint32_t *)(g + 8) = (uint32_t)(off >> 32);
        }
    } else {
        *(uint32_t *)(s + SYS_TSS + 4) = (uint32_t)(c->sys_gva + SYS_STK); /* ESP0 */
        *(uint32_t *)(s + SYS_TSS + 8) = GDT_DS << 3;                       /* SS0 */
        uint64_t h = c->sys_gva + SYS_HND;
        for (int v = 0; v < 32; v++) {
            uint8_t *g = s + SYS_IDT + 8 * v;
            uint64_t off = h + 2 * v;
            *(uint16_t *)(g + 0) = (uint16_t)off;
            *(uint16_t *)(g + 2) = GDT_CS32 << 3;
            g[5] = 0x8e;
            *(uint16_t *)(g + 6) = (uint16_t)(off >> 16);
        }
    }
    *(uint16_t *)(s + SYS_TSS + 0x66) = 0x68; /* no I/O permission bitmap */
    if (c->paging) {
        c->npt = 0;
        uint64_t root = alloc_pt(c);
        if (!(c->cr4 & 0x20) || is_long(c)) c->cr3 = root;
        else c->cr3 = root; /* PAE: the PDPT is the first 32 bytes of this page */
        for (int i = 0; i < c->npages; i++)
            if (map_page(c, c->pages[i].gva, c->pages[i].gpa, c->pages[i].w, c->pages[i].u, c->pages[i].x)) FAILF("page tables do not fit");
        for (uint64_t o = 0; o < SYS_SIZE; o += PAGE)
            if (map_page(c, c->sys_gva + o, c->sys_gpa + o, 1, 0, 1)) FAILF("page tables do not fit");
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Running                                                                                    */

static void log_access(kcase *c, int io, int write, uint64_t addr, int size, uint64_t data) {
    if (c->nacc == c->capacc) {
        c->capacc = c->capacc ? 2 * c->capacc : 16;
        c->acc = realloc(c->acc, c->capacc * sizeof *c->acc);
    }
    c->acc[c->nacc++] = (access_t){io, write, addr, size, data};
}

static void mmio_exit(kcase *c, struct kvm_run *run) {
    uint64_t a = run->mmio.phys_addr;
    int n = (int)run->mmio.len;
    int logged = 0, outside = 0;
    uint64_t data = 0;
    for (int i = 0; i < n; i++) {
        size_t off;
        region_t *rg = find_region(c, a + i, &off);
        if (rg && rg->mmio) logged = 1;
        if (!rg) outside = 1;
        if (run->mmio.is_write) {
            if (rg) rg->bytes[off] = run->mmio.data[i];
        } else {
            run->mmio.data[i] = rg ? rg->bytes[off] : 0xcc;
        }
        data |= (uint64_t)run->mmio.data[i] << (8 * i);
    }
    if (outside) {
        c->outside++;
        if (c->outside == 1)
            fprintf(stderr, "warn %s: %s of %d bytes at gpa 0x%" PRIx64 " outside the mem regions\n", c->id,
                    run->mmio.is_write ? "write" : "read", n, a);
        logged = 1;
    }
    if (logged) log_access(c, 0, run->mmio.is_write, a, n, data);
}

static void io_exit(kcase *c, struct kvm_run *run) {
    uint8_t *d = (uint8_t *)run + run->io.data_offset;
    int sz = run->io.size;
    for (uint32_t k = 0; k < run->io.count; k++, d += sz) {
        uint64_t v = 0;
        if (run->io.direction == KVM_EXIT_IO_OUT) {
            for (int i = 0; i < sz; i++) v |= (uint64_t)d[i] << (8 * i);
        } else {
            v = ~0ULL;
            for (int q = 0; q < c->nports; q++)
                if (c->ports[q].port == run->io.port) {
                    if (c->ports[q].next < c->ports[q].n) v = c->ports[q].vals[c->ports[q].next++];
                    break;
                }
            if (sz < 8) v &= (1ULL << (8 * sz)) - 1;
            for (int i = 0; i < sz; i++) d[i] = (uint8_t)(v >> (8 * i));
        }
        log_access(c, 1, run->io.direction == KVM_EXIT_IO_OUT, run->io.port, sz, v);
    }
}

static void set_kseg(struct kvm_segment *k, const seg_t *s) {
    memset(k, 0, sizeof *k);
    k->base = s->base; k->limit = (uint32_t)s->limit; k->selector = s->sel;
    k->type = s->attr & 0xf; k->s = (s->attr >> 4) & 1; k->dpl = (s->attr >> 5) & 3; k->present = (s->attr >> 7) & 1;
    k->avl = (s->attr >> 12) & 1; k->l = (s->attr >> 13) & 1; k->db = (s->attr >> 14) & 1; k->g = (s->attr >> 15) & 1;
    k->unusable = !k->present;
}


static volatile sig_atomic_t alarmed;
static void on_alarm(int sig) { (void)sig; alarmed = 1; }

static int is_string_insn(kcase *c) {
    /* REP prefix followed (after other prefixes) by a string opcode, in guest memory at CS:RIP. */
    int rep = 0;
    for (int i = 0; i < 15; i++) {
        uint64_t g;
        uint8_t *p = translate(c, lin_of(c, S_CS, c->rip + i, code_width(c)), &g) ? NULL : gpa_ptr(c, g);
        if (!p) return 0;
        uint8_t b = *p;
        if (b == 0xf2 || b == 0xf3) { rep = 1; continue; }
        if (b == 0x66 || b == 0x67 || b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65 || b == 0xf0) continue;
        if (c->mode == M_LONG64 && (b & 0xf0) == 0x40) continue;
        return rep && ((b >= 0x6c && b <= 0x6f) || (b >= 0xa4 && b <= 0xa7) || (b >= 0xaa && b <= 0xaf));
    }
    return 0;
}

static int run_case(const jv *o, kcase *c, jv **out) {
    int vm = -1, vcpu = -1, rc = -1;
    struct kvm_run *run = MAP_FAILED;
    /* Backed pages. */
    for (int r = 0; r < c->nregions; r++) {
        const region_t *rg = &c->regions[r];
        if (rg->mmio || !rg->len) continue;
        for (uint64_t p = rg->gpa & PMASK; p < rg->gpa + rg->len; p += PAGE) add_bpage(c, p);
    }
    for (int i = 0; i < c->npages; i++) add_bpage(c, c->pages[i].gpa);
    int cw = code_width(c), sw = stack_width(c);
    uint64_t gpa;
    if (!c->paging) {
        for (int i = 0; i < 16; i++) add_bpage(c, lin_of(c, S_CS, c->rip + i, cw));
        for (int i = 1; i <= 48; i++) add_bpage(c, lin_of(c, S_SS, c->gpr[4] - i, sw));
    }
    if (translate(c, lin_of(c, S_CS, c->rip, cw), &gpa) == 0 && page_has_mmio(c, gpa))
        FAILF("the code page (gpa 0x%" PRIx64 ") holds an mmio region: KVM cannot fetch instructions from MMIO", gpa & PMASK);
    if (choose_sys(c)) return -1;
    c->sys = mmap(NULL, SYS_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (c->sys == MAP_FAILED) { c->sys = NULL; FAILF("mmap: %s", strerror(errno)); }
    for (int i = 0; i < c->nbpages; i++) {
        c->bmem[i] = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (c->bmem[i] == MAP_FAILED) { c->bmem[i] = NULL; FAILF("mmap: %s", strerror(errno)); }
        memset(c->bmem[i], 0xcc, PAGE);
    }
    if (build_sys(c)) return -1;
    /* Region bytes into backed memory. */
    for (int r = 0; r < c->nregions; r++) {
        region_t *rg = &c->regions[r];
        for (size_t i = 0; i < rg->len; i++) {
            int b = bpage_index(c, rg->gpa + i);
            if (b >= 0) c->bmem[b][(rg->gpa + i) & (PAGE - 1)] = rg->bytes[i];
        }
    }
    /* Instruction bytes where no region covers them. */
    int mismatch = 0;
    for (int i = 0; i < c->insn_len; i++) {
        uint64_t g;
        if (translate(c, lin_of(c, S_CS, c->rip + i, cw), &g)) break;
        size_t off;
        region_t *rg = find_region(c, g, &off);
        if (rg) { if (rg->bytes[off] != c->insn[i]) mismatch = 1; continue; }
        int b = bpage_index(c, g);
        if (b >= 0) c->bmem[b][g & (PAGE - 1)] = c->insn[i];
    }
    if (mismatch) fprintf(stderr, "warn %s: insn bytes differ from guest memory at rip; executing memory\n", c->id);
    c->binit = malloc((size_t)c->nbpages * PAGE + 1);
    for (int i = 0; i < c->nbpages; i++) memcpy(c->binit + (size_t)i * PAGE, c->bmem[i], PAGE);

    /* VM */
    vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
    if (vm < 0) FAILF("KVM_CREATE_VM: %s", strerror(errno));
#define VFAIL(...) do { snprintf(errbuf, sizeof errbuf, __VA_ARGS__); goto done; } while (0)
    {
        struct kvm_userspace_memory_region mr = {.slot = 0, .guest_phys_addr = c->sys_gpa, .memory_size = SYS_SIZE, .userspace_addr = (uint64_t)(uintptr_t)c->sys};
        if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr)) VFAIL("KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
        for (int i = 0; i < c->nbpages; i++) {
            mr.slot = (uint32_t)(i + 1);
            mr.guest_phys_addr = c->bpages[i];
            mr.memory_size = PAGE;
            mr.userspace_addr = (uint64_t)(uintptr_t)c->bmem[i];
            if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr)) VFAIL("KVM_SET_USER_MEMORY_REGION gpa 0x%" PRIx64 ": %s", c->bpages[i], strerror(errno));
        }
    }
    vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) VFAIL("KVM_CREATE_VCPU: %s", strerror(errno));
    run = mmap(NULL, (size_t)vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED) VFAIL("mmap kvm_run: %s", strerror(errno));
    if (ioctl(vcpu, KVM_SET_CPUID2, cpuid)) VFAIL("KVM_SET_CPUID2: %s", strerror(errno));
    {
        struct kvm_xcrs x;
        memset(&x, 0, sizeof x);
        x.nr_xcrs = 1; x.xcrs[0].xcr = 0; x.xcrs[0].value = 7;
        ioctl(vcpu, KVM_SET_XCRS, &x); /* best effort: lets VEX instructions decode */
    }
    struct kvm_sregs sr;
    if (ioctl(vcpu, KVM_GET_SREGS, &sr)) VFAIL("KVM_GET_SREGS: %s", strerror(errno));
    {
        struct kvm_segment *ks[NSEG] = {&sr.cs, &sr.ss, &sr.ds, &sr.es, &sr.fs, &sr.gs, &sr.tr, &sr.ldt};
        for (int s = 0; s < NSEG; s++) set_kseg(ks[s], &c->seg[s]);
        if (c->mode != M_REAL16) {
            seg_t t = {GDT_TSS << 3, c->sys_gva + SYS_TSS, 0x67, 0x8b};
            set_kseg(&sr.tr, &t);
            if (c->cpl != ((c->seg[S_SS].attr >> 5) & 3)) sr.ss.dpl = (uint8_t)c->cpl;
        }
        sr.gdt.base = c->sys_gva + SYS_GDT; sr.gdt.limit = NGDT * 8 - 1;
        sr.idt.base = c->sys_gva + SYS_IDT;
        sr.idt.limit = c->mode == M_REAL16 ? 32 * 4 - 1 : is_long(c) ? 32 * 16 - 1 : 32 * 8 - 1;
        sr.cr0 = c->cr0; sr.cr3 = c->cr3; sr.cr4 = c->cr4; sr.efer = c->efer;
        sr.cr2 = 0;
        memset(sr.interrupt_bitmap, 0, sizeof sr.interrupt_bitmap);
        if (ioctl(vcpu, KVM_SET_SREGS, &sr)) VFAIL("KVM_SET_SREGS: %s (cr0 0x%" PRIx64 " cr4 0x%" PRIx64 " efer 0x%" PRIx64 ")", strerror(errno), c->cr0, c->cr4, c->efer);
        struct kvm_sregs back;
        if (ioctl(vcpu, KVM_GET_SREGS, &back)) VFAIL("KVM_GET_SREGS: %s", strerror(errno));
        if (back.cr0 != sr.cr0 || back.cr4 != sr.cr4)
            VFAIL("this host's KVM does not take the control registers (cr0 0x%" PRIx64 " cr4 0x%" PRIx64 " read back as 0x%llx 0x%llx)%s",
                  c->cr0, c->cr4, (unsigned long long)back.cr0, (unsigned long long)back.cr4,
                  (c->cr0 >> 31) && !is_long(c) ? ": paging outside long mode is not supported" : "");
    }
    {
        struct kvm_xsave xs;
        if (ioctl(vcpu, KVM_GET_XSAVE, &xs)) VFAIL("KVM_GET_XSAVE: %s", strerror(errno));
        uint8_t *x = (uint8_t *)xs.region;
        memcpy(x + 160, c->xmm, sizeof c->xmm);
        *(uint32_t *)(x + 24) = (uint32_t)c->mxcsr;
        *(uint64_t *)(x + 512) |= 3; /* XSTATE_BV: x87 and SSE state are live */
        if (ioctl(vcpu, KVM_SET_XSAVE, &xs)) VFAIL("KVM_SET_XSAVE: %s", strerror(errno));
    }
    struct kvm_regs r;
    memset(&r, 0, sizeof r);
    __u64 *rp[16] = {&r.rax, &r.rcx, &r.rdx, &r.rbx, &r.rsp, &r.rbp, &r.rsi, &r.rdi, &r.r8, &r.r9, &r.r10, &r.r11, &r.r12, &r.r13, &r.r14, &r.r15};
    for (int i = 0; i < 16; i++) *rp[i] = c->gpr[i];
    r.rip = c->rip;
    r.rflags = (c->rflags & ~0x100ULL) | 2; /* a guest TF would trap after the instruction */
    if (ioctl(vcpu, KVM_SET_REGS, &r)) VFAIL("KVM_SET_REGS: %s", strerror(errno));
    {
        struct kvm_guest_debug dbg;
        memset(&dbg, 0, sizeof dbg);
        dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
        if (ioctl(vcpu, KVM_SET_GUEST_DEBUG, &dbg)) VFAIL("KVM_SET_GUEST_DEBUG: %s", strerror(errno));
    }

    uint64_t hnd = c->mode == M_REAL16 ? c->sys_gpa + SYS_HND : c->sys_gva + SYS_HND;
    int vector = -1, steps = 0;
    int rep = is_string_insn(c);
    alarmed = 0;
    alarm(3);
    /* After a device exit, KVM_RUN with immediate_exit completes the exit (finishing the emulated
       instruction when that was its last access) without entering the guest: the single-step trap
       is not raised on that path, so without this the following instruction would run too. */
    int pending = 0;
    for (;;) {
        if (++steps > MAXSTEPS) VFAIL("instruction did not complete within %d exits", MAXSTEPS);
        run->immediate_exit = (uint8_t)pending;
        int k = ioctl(vcpu, KVM_RUN, 0);
        int was_pending = pending;
        pending = 0;
        if (k < 0 && errno == EINTR && !was_pending) { if (alarmed) VFAIL("timeout (instruction did not complete within 3 s)"); continue; }
        if (k < 0 && errno != EINTR) VFAIL("KVM_RUN: %s", strerror(errno));
        if (k == 0) {
            switch (run->exit_reason) {
            case KVM_EXIT_MMIO: mmio_exit(c, run); pending = 1; continue;
            case KVM_EXIT_IO: io_exit(c, run); pending = 1; continue;
            case KVM_EXIT_INTR: if (alarmed) VFAIL("timeout"); continue;
            case KVM_EXIT_DEBUG: case KVM_EXIT_HLT: break;
            case KVM_EXIT_INTERNAL_ERROR:
                if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION) last_emul_failure = 1;
                if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION)
                    VFAIL("KVM cannot emulate this instruction (KVM_EXIT_INTERNAL_ERROR, emulation failure)");
                VFAIL("KVM_EXIT_INTERNAL_ERROR suberror %u", run->internal.suberror);
            case KVM_EXIT_SHUTDOWN:
                ioctl(vcpu, KVM_GET_REGS, &r);
                ioctl(vcpu, KVM_GET_SREGS, &sr);
                if (!is_long(c)) {
                    for (int i = 1; i <= 16; i++) {
                        uint64_t g;
                        size_t off;
                        region_t *rg;
                        if (!translate(c, lin_of(c, S_SS, c->gpr[4] - i, sw), &g) && (rg = find_region(c, g, &off)) && rg->mmio)
                            VFAIL("the instruction faulted, and KVM cannot push the exception frame onto a stack in an mmio region (triple fault)");
                    }
                }
                VFAIL("triple fault (KVM_EXIT_SHUTDOWN): an exception could not be delivered (rip 0x%llx, rsp 0x%llx, cr2 0x%llx)",
                      (unsigned long long)r.rip, (unsigned long long)r.rsp, (unsigned long long)sr.cr2);
            case KVM_EXIT_FAIL_ENTRY: VFAIL("KVM_EXIT_FAIL_ENTRY (reason 0x%llx): the register state is not accepted", (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
            default: VFAIL("unexpected exit reason %u", run->exit_reason);
            }
        }
        if (ioctl(vcpu, KVM_GET_REGS, &r)) VFAIL("KVM_GET_REGS: %s", strerror(errno));
        if (ioctl(vcpu, KVM_GET_SREGS, &sr)) VFAIL("KVM_GET_SREGS: %s", strerror(errno));
        uint64_t lin = sr.cs.base + r.rip;
        if (lin >= hnd && lin < hnd + 64) { vector = (int)((lin - hnd) / 2); break; }

        if (k == 0 && run->exit_reason == KVM_EXIT_HLT) VFAIL("guest halted at rip 0x%llx outside the handlers", (unsigned long long)r.rip);
        if (r.rip == c->rip && sr.cs.base == c->seg[S_CS].base && (rep || k < 0)) continue; /* not finished (REP iteration, pending exception) */
        break;
    }
    alarm(0);

    /* Result */
    uint64_t fin[16], frip = r.rip, ffl = r.rflags;
    for (int i = 0; i < 16; i++) fin[i] = *rp[i];
    uint64_t err = 0, cr2 = sr.cr2;
    int has_err = 0, from_frame = vector >= 0;
    if (vector >= 0) {
        /* The exception frame: read it, then undo its pushes (memory and device log). */
        uint64_t fr_lin, fr_len;
        uint64_t w[6] = {0};
        int ws, flat = 1; /* flat: the frame is on our own stack (IST / stack switch) */
        int switched = !is_long(c) && c->mode != M_REAL16 && sr.ss.selector == (GDT_DS << 3) && c->seg[S_SS].sel != (GDT_DS << 3);
        if (is_long(c) || switched) {
            ws = is_long(c) ? 8 : 4;
            fr_lin = r.rsp; fr_len = c->sys_gva + SYS_STK - r.rsp;
        } else {
            ws = c->mode == M_REAL16 ? 2 : 4;
            flat = 0;
            fr_len = (c->gpr[4] - r.rsp) & (sw == 16 ? 0xffff : 0xffffffffULL);
            fr_lin = lin_of(c, S_SS, r.rsp, sw);
        }
        if (fr_len > 48 || fr_len % ws) VFAIL("unexpected exception frame size %" PRIu64 " (vector %d)", fr_len, vector);
        int nw = (int)(fr_len / ws);
        uint8_t fb[48];
        for (uint64_t i = 0; i < fr_len; i++) {
            uint64_t g;
            uint64_t l = flat ? fr_lin + i : lin_of(c, S_SS, r.rsp + i, sw);
            uint8_t *p = translate(c, l, &g) ? NULL : gpa_ptr(c, g);
            fb[i] = p ? *p : 0;
            if (flat || !p) continue;
            /* Undo the push: backed case pages and region bytes back to their initial values, and
               drop the device writes it made. */
            int b = bpage_index(c, g);
            if (b >= 0) *p = c->binit[(size_t)b * PAGE + (g & (PAGE - 1))];
            size_t off;
            region_t *rg = find_region(c, g, &off);
            if (rg) { rg->bytes[off] = rg->init[off]; if (b >= 0) *p = rg->init[off]; }
            for (int a = c->nacc - 1; a >= 0; a--) {
                access_t *ac = &c->acc[a];
                if (!ac->io && ac->write && g >= ac->addr && g < ac->addr + (uint64_t)ac->size) {
                    memmove(ac, ac + 1, (size_t)(c->nacc - a - 1) * sizeof *ac);
                    c->nacc--;
                }
            }
        }
        for (int i = 0; i < nw && i < 6; i++) {
            w[i] = 0;
            for (int b = 0; b < ws; b++) w[i] |= (uint64_t)fb[i * ws + b] << (8 * b);
        }
        int base_words = (is_long(c) || switched) ? 5 : 3;
        has_err = nw == base_words + 1;
        int e0 = has_err ? 1 : 0;
        if (has_err) err = w[0];
        frip = w[e0];
        uint64_t pfl = w[e0 + 2];
        if (c->mode == M_REAL16) pfl = (c->rflags & ~0xffffULL) | (pfl & 0xffff);
        else if (!is_long(c)) pfl = (c->rflags & ~0xffffffffULL) | (pfl & 0xffffffffULL);
        ffl = pfl;
        fin[4] = base_words == 5 ? w[e0 + 3] : c->gpr[4];
        if (!is_long(c) && switched) fin[4] = (c->gpr[4] & ~0xffffffffULL) | (fin[4] & 0xffffffffULL);
        if (vector == 1 && !has_err) {
            /* The single-step trap reached the guest as #DB (seen after REP string instructions at
               CPL 3): the instruction completed, and the frame holds the state after it. */
            vector = -1;
        }
        if (!is_long(c)) frip &= 0xffffffffULL;
    }
    /* Flags the runner uses: TF (single-step) and RF are reported as they were. */
    ffl = (ffl & ~0x10100ULL) | (c->rflags & 0x10100ULL);
    uint8_t fxmm[16][16];
    {
        struct kvm_xsave xs;
        if (ioctl(vcpu, KVM_GET_XSAVE, &xs)) VFAIL("KVM_GET_XSAVE: %s", strerror(errno));
        memcpy(fxmm, (uint8_t *)xs.region + 160, sizeof fxmm);
    }

    jv *ex = j_new(J_OBJ);
    j_set(ex, "status", j_str(vector >= 0 ? "fault" : "ok"));
    if (vector >= 0) {
        jv *fo = j_new(J_OBJ);
        j_set(fo, "vector", j_int(vector));
        if (has_err) j_set(fo, "error", j_str(hex64(err & 0xffffffffULL)));
        if (vector == 14) j_set(fo, "cr2", j_str(hex64(cr2)));
        j_set(ex, "fault", fo);
    }
    jv *regs = j_new(J_OBJ);
    for (int i = 0; i < 16; i++)
        if (fin[i] != c->gpr[i]) j_set(regs, gpr_names[i], j_str(hex64(fin[i])));
    if (vector < 0 || frip != c->rip) j_set(regs, "rip", j_str(hex64(frip)));
    if (ffl != c->rflags) j_set(regs, "rflags", j_str(hex64(ffl)));
    for (int i = 0; i < 16; i++) {
        if (memcmp(fxmm[i], c->xmm[i], 16)) {
            char k[8], v[40];
            snprintf(k, sizeof k, "xmm%d", i);
            strcpy(v, "0x");
            for (int b = 15; b >= 0; b--) sprintf(v + 2 + 2 * (15 - b), "%02x", fxmm[i][b]);
            j_set(regs, k, j_str(v));
        }
    }
    if (!from_frame) {
        struct kvm_segment *ks[6] = {&sr.cs, &sr.ss, &sr.ds, &sr.es, &sr.fs, &sr.gs};
        for (int s = 0; s < 6; s++) {
            const seg_t *sg = &c->seg[s];
            if (ks[s]->selector == sg->sel && ks[s]->base == sg->base && ks[s]->limit == (uint32_t)sg->limit) continue;
            uint16_t attr = (uint16_t)(ks[s]->type | ks[s]->s << 4 | ks[s]->dpl << 5 | ks[s]->present << 7 | ks[s]->avl << 12 |
                                       ks[s]->l << 13 | ks[s]->db << 14 | ks[s]->g << 15);
            jv *so = j_new(J_OBJ);
            j_set(so, "sel", j_str(hex64(ks[s]->selector)));
            j_set(so, "base", j_str(hex64(ks[s]->base)));
            j_set(so, "limit", j_str(hex64(ks[s]->limit)));
            j_set(so, "attr", j_str(hex64(attr)));
            j_set(regs, seg_names[s], so);
        }
    }
    j_set(ex, "regs", regs);
    jv *oldex = j_get(o, "expect");
    jv *fm = oldex ? j_get(oldex, "flagsMask") : NULL;
    if (!fm) fm = j_get(o, "flagsMask");
    j_set(ex, "flagsMask", j_str(fm && fm->t == J_STR ? fm->s : "0x3f7fd7"));
    jv *mem = j_new(J_ARR);
    for (int rr = 0; rr < c->nregions; rr++) {
        region_t *rg = &c->regions[rr];
        uint8_t *now = malloc(rg->len + 1);
        int changed = 0;
        for (size_t i = 0; i < rg->len; i++) {
            int b = bpage_index(c, rg->gpa + i);
            now[i] = b >= 0 ? c->bmem[b][(rg->gpa + i) & (PAGE - 1)] : rg->bytes[i];
            if (now[i] != rg->init[i]) changed = 1;
        }
        if (changed) {
            jv *m = j_new(J_OBJ);
            char *h = malloc(2 * rg->len + 1);
            for (size_t i = 0; i < rg->len; i++) sprintf(h + 2 * i, "%02x", now[i]);
            h[2 * rg->len] = 0;
            j_set(m, "gpa", j_str(hex64(rg->gpa)));
            j_set(m, "hex", j_str(h));
            free(h);
            j_push(mem, m);
        }
        free(now);
    }
    j_set(ex, "mem", mem);
    jv *acc = j_new(J_ARR);
    for (int a = 0; a < c->nacc; a++) {
        jv *e = j_new(J_OBJ);
        j_set(e, "space", j_str(c->acc[a].io ? "io" : "mmio"));
        j_set(e, "dir", j_str(c->acc[a].write ? "w" : "r"));
        j_set(e, "addr", j_str(hex64(c->acc[a].addr)));
        j_set(e, "size", j_int(c->acc[a].size));
        char dh[24];
        snprintf(dh, sizeof dh, "0x%0*" PRIx64, 2 * c->acc[a].size, c->acc[a].data); /* zero-padded to the size */
        j_set(e, "data", j_str(dh));
        j_push(acc, e);
    }
    j_set(ex, "accesses", acc);
    /* Writes to backed bytes that no region covers are not reported: flag them. */
    for (int b = 0; b < c->nbpages; b++) {
        for (uint64_t i = 0; i < PAGE; i++) {
            if (c->bmem[b][i] == c->binit[(size_t)b * PAGE + i]) continue;
            size_t off;
            if (find_region(c, c->bpages[b] + i, &off)) continue;
            if (vector < 0) fprintf(stderr, "warn %s: write outside the mem regions at gpa 0x%" PRIx64 " (not reported)\n", c->id, c->bpages[b] + i);
            b = c->nbpages;
            break;
        }
    }
    if (opt_verbose) fprintf(stderr, "info %s: %s steps=%d\n", c->id, vector >= 0 ? "fault" : "ok", steps);
    if (vector == 14 && (err & 0x10)) {
        uint64_t code = lin_of(c, S_CS, c->rip, cw);
        if (cr2 - code >= 16) {
            j_free(ex);
            VFAIL("KVM cannot emulate this instruction (it surfaces as an instruction-fetch #PF at 0x%" PRIx64 ", away from the instruction at linear 0x%" PRIx64 ")", cr2, code);
        }
    }
    if (!probe_mode && c->cpl > 0 && (vector == 6 || (vector == 14 && (err & 0x10)))) {
        /* Below CPL 0, KVM turns an emulation failure into #UD injected into the guest (and this host
           may then report a #PF on the fetch). Run the case again at CPL 0 to tell them apart. */
        kcase c2;
        jv *ex2 = NULL;
        int failed = 0;
        if (load_case(o, &c2) == 0) {
            c2.cpl = 0;
            c2.seg[S_CS].attr &= (uint16_t)~0x60; c2.seg[S_SS].attr &= (uint16_t)~0x60;
            c2.seg[S_CS].sel &= (uint16_t)~3; c2.seg[S_SS].sel &= (uint16_t)~3;
            probe_mode = 1;
            last_emul_failure = 0;
            char save[sizeof errbuf];
            memcpy(save, errbuf, sizeof save);
            if (run_case(o, &c2, &ex2)) failed = last_emul_failure;
            memcpy(errbuf, save, sizeof save);
            probe_mode = 0;
            if (ex2) j_free(ex2);
        }
        free_case(&c2);
        if (failed) {
            j_free(ex);
            VFAIL("KVM cannot emulate this instruction (emulation failure at CPL 0; at CPL %d KVM injects vector %d instead)", c->cpl, vector);
        }
    }
    *out = ex;
    rc = 0;
done:
    alarm(0);
    if (run != MAP_FAILED) munmap(run, (size_t)vcpu_mmap_size);
    if (vcpu >= 0) close(vcpu);
    if (vm >= 0) close(vm);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */

static void usage(void) {
    fprintf(stderr,
            "usage: hvex-kvm-oracle [-k] [-v] [FILE...]\n"
            "  Reads exit cases (JSON Lines, .jsonl or .jsonl.gz) from FILEs or stdin, runs each instruction\n"
            "  in a KVM guest (/dev/kvm) and writes the cases with `expect` filled in and `source: \"kvm\"`.\n"
            "  -k  keep skipped cases in the output, unchanged\n"
            "  -v  one line per case on stderr\n");
}

static long n_in, n_ok, n_fault, n_skip, n_bad;

static void process_stream(FILE *f, const char *name) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) continue;
        n_in++;
        char perr[200];
        jv *o = j_parse(p, perr, sizeof perr);
        if (!o || o->t != J_OBJ) {
            fprintf(stderr, "error %s:%ld: not a JSON object: %s\n", name, lineno, o ? "wrong type" : perr);
            j_free(o); n_bad++; continue;
        }
        kcase c;
        jv *ex = NULL;
        int rc = load_case(o, &c);
        if (rc == 0) rc = run_case(o, &c, &ex);
        if (rc) {
            fprintf(stderr, "skip %s: %s\n", c.id ? c.id : "?", errbuf);
            n_skip++;
            if (opt_keep) { char *s = j_dump(o); puts(s); free(s); }
        } else {
            jv *st = j_get(ex, "status");
            if (st && !strcmp(st->s, "fault")) n_fault++; else n_ok++;
            j_set(o, "expect", ex);
            j_set(o, "source", j_str("kvm"));
            char *s = j_dump(o);
            puts(s);
            free(s);
        }
        fflush(stdout);
        free_case(&c);
        j_free(o);
    }
    free(line);
}

static int kvm_init(void) {
    kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm_fd < 0) { fprintf(stderr, "error: /dev/kvm: %s\n", strerror(errno)); return -1; }
    if (ioctl(kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) { fprintf(stderr, "error: unexpected KVM API version\n"); return -1; }
    vcpu_mmap_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (vcpu_mmap_size <= 0) { fprintf(stderr, "error: KVM_GET_VCPU_MMAP_SIZE: %s\n", strerror(errno)); return -1; }
    for (int n = 64; n <= 4096; n *= 2) {
        cpuid = calloc(1, sizeof *cpuid + (size_t)n * sizeof(struct kvm_cpuid_entry2));
        cpuid->nent = (uint32_t)n;
        if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) == 0) {
            /* Features KVM emulates (MOVBE ...): the emulator handles them when the guest has them. */
            struct kvm_cpuid2 *em = calloc(1, sizeof *em + 256 * sizeof(struct kvm_cpuid_entry2));
            em->nent = 256;
            if (ioctl(kvm_fd, KVM_GET_EMULATED_CPUID, em) == 0)
                for (uint32_t i = 0; i < em->nent; i++)
                    for (uint32_t j = 0; j < cpuid->nent; j++) {
                        struct kvm_cpuid_entry2 *a = &cpuid->entries[j], *b = &em->entries[i];
                        if (a->function != b->function || a->index != b->index) continue;
                        a->eax |= b->eax; a->ebx |= b->ebx; a->ecx |= b->ecx; a->edx |= b->edx;
                    }
            free(em);
            return 0;
        }
        free(cpuid);
        cpuid = NULL;
        if (errno != E2BIG) break;
    }
    fprintf(stderr, "error: KVM_GET_SUPPORTED_CPUID: %s\n", strerror(errno));
    return -1;
}

int main(int argc, char **argv) {
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-k")) opt_keep = 1;
        else if (!strcmp(argv[i], "-v")) opt_verbose = 1;
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) { usage(); return 0; }
        else if (argv[i][0] == '-' && argv[i][1]) { usage(); return 2; }
    }
    if (kvm_init()) return 2;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART: KVM_RUN returns EINTR */
    sigaction(SIGALRM, &sa, NULL);
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1]) continue;
        nfiles++;
        if (!strcmp(argv[i], "-")) { process_stream(stdin, "<stdin>"); continue; }
        size_t n = strlen(argv[i]);
        FILE *f;
        int piped = 0;
        if (n > 3 && !strcmp(argv[i] + n - 3, ".gz")) {
            char cmd[4200];
            snprintf(cmd, sizeof cmd, "gzip -dc -- '%s'", argv[i]);
            f = popen(cmd, "r");
            piped = 1;
        } else f = fopen(argv[i], "r");
        if (!f) { fprintf(stderr, "error: cannot open %s: %s\n", argv[i], strerror(errno)); return 2; }
        process_stream(f, argv[i]);
        if (piped) pclose(f); else fclose(f);
    }
    if (!nfiles) process_stream(stdin, "<stdin>");
    fprintf(stderr, "hvex-kvm-oracle: %ld cases: %ld ok, %ld fault, %ld skipped, %ld unreadable\n", n_in, n_ok, n_fault, n_skip, n_bad);
    return n_bad ? 1 : 0;
}
