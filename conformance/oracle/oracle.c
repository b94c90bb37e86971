/*
 * hvex processor oracle ("source hw").
 *
 * Reads exit cases (JSON Lines, see conformance/FORMAT.md), executes each case's
 * instruction natively at CPL 3 on the host processor and writes the cases back with `expect`
 * filled in from what the processor did, and `source` set to "hw".
 *
 * Per case, a forked child:
 *   - maps every page of `pages` at its GVA (MAP_FIXED_NOREPLACE) onto a memfd that plays guest
 *     physical memory, so aliases (two GVAs on one GPA) behave like the guest's;
 *   - for compat32/compat16 builds LDT descriptors for CS/SS/DS/ES/FS/GS from the case;
 *   - closes every file descriptor and enters seccomp strict mode;
 *   - loads DS/ES/FS/GS (and, in long64, the FS/GS bases with WRFSBASE/WRGSBASE), XMM0-15 and
 *     the general registers, and enters the instruction with IRETQ (RIP, CS, RFLAGS, RSP, SS),
 *     with RFLAGS.TF set so that the processor single-steps exactly one instruction (a REP
 *     string instruction traps once per iteration: the handler resumes it until RIP moves);
 *     INT3 bytes after the instruction are a fallback where TF is not used (PUSHF/POPF/IRET);
 *   - reads the final state from the signal context (SIGTRAP: completed; SIGSEGV/SIGBUS/
 *     SIGILL/SIGFPE: fault, vector/error/CR2 from REG_TRAPNO/REG_ERR/REG_CR2) into a shared
 *     page and exits.
 * The parent then compares the final state and the memfd with the initial ones.
 */
#define _GNU_SOURCE
#include <asm/ldt.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/ucontext.h>
#include <sys/wait.h>
#include <unistd.h>

#include "json.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PAGE ((uint64_t)4096)
#define USER_TOP 0x0000800000000000ULL /* 4-level paging user half */
#define MAX_STEPS (1u << 22)

/* RFLAGS bits the oracle sets from the case (IRETQ at CPL 3 cannot set IOPL/IF/VM etc.). */
#define FL_SETTABLE 0x240cd5ULL /* CF PF AF ZF SF DF OF AC ID */
#define FL_TF 0x100ULL
#define FL_RF 0x10000ULL

enum { M_LONG64, M_COMPAT32, M_COMPAT16 };
enum { S_CS, S_SS, S_DS, S_ES, S_FS, S_GS, NSEG };
static const char *seg_names[NSEG] = {"cs", "ss", "ds", "es", "fs", "gs"};
static const char *gpr_names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                    "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

typedef struct {
    uint16_t sel;
    uint64_t base;
    uint64_t limit;
    uint16_t attr;
    int given;
} seg_t;

typedef struct {
    uint64_t gva, gpa;
    int w, u, x;
    int phys; /* page index in the memfd */
} page_t;

typedef struct {
    uint64_t gpa;
    uint8_t *bytes;
    size_t len;
} region_t;

typedef struct {
    const char *id;
    const char *modename;
    int mode;
    int cpl;
    uint64_t gpr[16], rip, rflags, cr0, cr4, efer;
    uint8_t xmm[16][16];
    seg_t seg[NSEG];
    page_t *pages;
    int npages;
    region_t *regions;
    int nregions;
    uint8_t insn[16];
    int insn_len;
    uint64_t *phys; /* gpa page numbers, index = memfd page */
    int nphys;
} hcase;

/* Written by the child (shared anonymous page), read by the parent. */
typedef struct {
    volatile int status; /* 0 nothing, 1 completed, 2 fault, 3 setup error, 4 did not complete */
    int vector;
    uint64_t err, cr2;
    uint64_t gpr[16], rip, rflags, cs;
    uint8_t xmm[16][16];
    uint64_t steps;
    char msg[512];
} result_t;

/* ------------------------------------------------------------------------------------------ */
/* Child-side globals used by the entry trampoline and the signal handler (no TLS access).   */

__attribute__((used, visibility("hidden"))) uint64_t hv_gpr[16];
__attribute__((used, visibility("hidden"), aligned(16))) uint8_t hv_xmm[16][16];
__attribute__((used, visibility("hidden"), aligned(16))) uint64_t hv_frame[6]; /* rip cs rflags rsp ss */
__attribute__((used, visibility("hidden"))) uint16_t hv_sel[4];                /* ds es fs gs */
__attribute__((used, visibility("hidden"))) uint64_t hv_fsbase, hv_gsbase, hv_setbases;
__attribute__((used, visibility("hidden"))) uint64_t *hv_framep; /* where IRETQ finds its frame */

static result_t *hv_res;
static uint64_t hv_start_rip;
static int hv_step;
static uint64_t hv_steps;

extern void hv_enter(void) __attribute__((noreturn));
extern char hv_enter_end[];
extern void hv_handler_stub(int, siginfo_t *, void *);

__asm__(
    ".text\n"
    ".globl hv_enter\n"
    ".type hv_enter,@function\n"
    "hv_enter:\n"
    "  movw hv_sel+0(%rip), %ds\n"
    "  movw hv_sel+2(%rip), %es\n"
    "  movw hv_sel+4(%rip), %fs\n"
    "  movw hv_sel+6(%rip), %gs\n"
    "  cmpq $0, hv_setbases(%rip)\n"
    "  je 1f\n"
    "  movq hv_fsbase(%rip), %rax\n"
    "  wrfsbase %rax\n"
    "  movq hv_gsbase(%rip), %rax\n"
    "  wrgsbase %rax\n"
    "1:\n"
    "  vmovdqu hv_xmm+0(%rip), %xmm0\n"
    "  vmovdqu hv_xmm+16(%rip), %xmm1\n"
    "  vmovdqu hv_xmm+32(%rip), %xmm2\n"
    "  vmovdqu hv_xmm+48(%rip), %xmm3\n"
    "  vmovdqu hv_xmm+64(%rip), %xmm4\n"
    "  vmovdqu hv_xmm+80(%rip), %xmm5\n"
    "  vmovdqu hv_xmm+96(%rip), %xmm6\n"
    "  vmovdqu hv_xmm+112(%rip), %xmm7\n"
    "  vmovdqu hv_xmm+128(%rip), %xmm8\n"
    "  vmovdqu hv_xmm+144(%rip), %xmm9\n"
    "  vmovdqu hv_xmm+160(%rip), %xmm10\n"
    "  vmovdqu hv_xmm+176(%rip), %xmm11\n"
    "  vmovdqu hv_xmm+192(%rip), %xmm12\n"
    "  vmovdqu hv_xmm+208(%rip), %xmm13\n"
    "  vmovdqu hv_xmm+224(%rip), %xmm14\n"
    "  vmovdqu hv_xmm+240(%rip), %xmm15\n"
    "  movq hv_framep(%rip), %rsp\n"
    "  movq hv_gpr+0(%rip), %rax\n"
    "  movq hv_gpr+8(%rip), %rcx\n"
    "  movq hv_gpr+16(%rip), %rdx\n"
    "  movq hv_gpr+24(%rip), %rbx\n"
    "  movq hv_gpr+40(%rip), %rbp\n"
    "  movq hv_gpr+48(%rip), %rsi\n"
    "  movq hv_gpr+56(%rip), %rdi\n"
    "  movq hv_gpr+64(%rip), %r8\n"
    "  movq hv_gpr+72(%rip), %r9\n"
    "  movq hv_gpr+80(%rip), %r10\n"
    "  movq hv_gpr+88(%rip), %r11\n"
    "  movq hv_gpr+96(%rip), %r12\n"
    "  movq hv_gpr+104(%rip), %r13\n"
    "  movq hv_gpr+112(%rip), %r14\n"
    "  movq hv_gpr+120(%rip), %r15\n"
    "  iretq\n"
    ".globl hv_enter_end\n"
    "hv_enter_end:\n"
    "  ud2\n"
    ".size hv_enter, .-hv_enter\n"
    /* Signal entry: the interrupted code may have left RFLAGS.AC set; clear it before C runs. */
    ".globl hv_handler_stub\n"
    ".type hv_handler_stub,@function\n"
    "hv_handler_stub:\n"
    "  pushfq\n"
    "  andq $~0x40000, (%rsp)\n"
    "  popfq\n"
    "  cld\n"
    "  jmp hv_handler\n"
    ".size hv_handler_stub, .-hv_handler_stub\n");

static __attribute__((noreturn)) void raw_exit(int code) {
    for (;;) __asm__ volatile("syscall" ::"a"(SYS_exit), "D"(code) : "rcx", "r11", "memory");
}

/* REG_* index of each GPR in encoding order. */
static const int greg_index[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                                   REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};

/* Runs on the alternate stack, FS base may be the guest's: no libc, no TLS. */
__attribute__((used, visibility("hidden"))) void hv_handler(int sig, siginfo_t *si, void *ucv) {
    (void)si;
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    uint64_t trapno = (uint64_t)g[REG_TRAPNO];
    uint64_t rip = (uint64_t)g[REG_RIP];
    result_t *r = hv_res;

    if (rip >= (uint64_t)(uintptr_t)hv_enter && rip <= (uint64_t)(uintptr_t)hv_enter_end) {
        /* The entry sequence itself faulted: the segment state cannot be loaded. */
        r->vector = (int)trapno;
        r->err = (uint64_t)g[REG_ERR];
        const char m[] = "entry sequence faulted (segment state not loadable at CPL 3)";
        for (unsigned i = 0; i < sizeof m; i++) r->msg[i] = m[i];
        r->status = 3;
        raw_exit(0);
    }
    if (sig == SIGTRAP && trapno == 1 && hv_step && rip == hv_start_rip) {
        /* One iteration of a REP string instruction: let it continue. */
        if (++hv_steps < MAX_STEPS) return;
        r->status = 4;
        raw_exit(0);
    }
    for (int i = 0; i < 16; i++) r->gpr[i] = (uint64_t)g[greg_index[i]];
    r->rflags = (uint64_t)g[REG_EFL];
    r->cs = (uint64_t)g[REG_CSGSFS] & 0xffff;
    r->steps = hv_steps;
    if (uc->uc_mcontext.fpregs) {
        const uint8_t *x = (const uint8_t *)uc->uc_mcontext.fpregs->_xmm;
        for (int i = 0; i < 16 * 16; i++) r->xmm[i / 16][i % 16] = x[i];
    }
    if (sig == SIGTRAP && (trapno == 1 || trapno == 3)) {
        r->rip = trapno == 3 ? rip - 1 : rip;
        r->status = 1;
    } else {
        r->rip = rip;
        r->vector = (int)trapno;
        r->err = (uint64_t)g[REG_ERR];
        r->cr2 = (uint64_t)g[REG_CR2];
        r->status = 2;
    }
    raw_exit(0);
}

/* ------------------------------------------------------------------------------------------ */
/* Case parsing                                                                               */

static char errbuf[512];
static int opt_as_user = 0; /* run CPL 0-2 cases at CPL 3 (see usage) */

#define FAILF(...)                                            \
    do {                                                      \
        snprintf(errbuf, sizeof errbuf, __VA_ARGS__);         \
        return -1;                                            \
    } while (0)

static int parse_u64(const jv *v, uint64_t *out) {
    if (!v) return -1;
    if (v->t == J_NUM) {
        char *e;
        errno = 0;
        unsigned long long x = strtoull(v->s, &e, 10);
        if (*e || errno) return -1;
        *out = x;
        return 0;
    }
    if (v->t != J_STR) return -1;
    const char *s = v->s;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
    if (!*s || strlen(s) > 16) return -1;
    uint64_t x = 0;
    for (; *s; s++) {
        int d;
        if (*s >= '0' && *s <= '9') d = *s - '0';
        else if (*s >= 'a' && *s <= 'f') d = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F') d = *s - 'A' + 10;
        else return -1;
        x = x << 4 | (uint64_t)d;
    }
    *out = x;
    return 0;
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
    *out = b;
    *len = n / 2;
    return 0;
}

static int parse_xmm(const char *s, uint8_t out[16]) {
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
    size_t n = strlen(s);
    if (n == 0 || n > 32) return -1;
    memset(out, 0, 16);
    /* most significant first: the last hex digit is the low nibble of byte 0 */
    for (size_t i = 0; i < n; i++) {
        int d = hexval(s[n - 1 - i]);
        if (d < 0) return -1;
        out[i / 2] |= (uint8_t)(d << (4 * (i % 2)));
    }
    return 0;
}

static void free_case(hcase *c) {
    for (int i = 0; i < c->nregions; i++) free(c->regions[i].bytes);
    free(c->regions);
    free(c->pages);
    free(c->phys);
    memset(c, 0, sizeof *c);
}

static int load_case(const jv *o, hcase *c) {
    memset(c, 0, sizeof *c);
    jv *id = j_get(o, "id");
    c->id = id && id->t == J_STR ? id->s : "?";
    jv *mode = j_get(o, "mode");
    if (!mode || mode->t != J_STR) FAILF("missing key 'mode'");
    c->modename = mode->s;
    if (!strcmp(mode->s, "long64")) c->mode = M_LONG64;
    else if (!strcmp(mode->s, "compat32")) c->mode = M_COMPAT32;
    else if (!strcmp(mode->s, "compat16")) c->mode = M_COMPAT16;
    else FAILF("mode %s is not supported (long64, compat32, compat16 only)", mode->s);

    jv *regs = j_get(o, "regs");
    if (!regs || regs->t != J_OBJ) FAILF("missing key 'regs'");
    for (int i = 0; i < 16; i++) {
        jv *v = j_get(regs, gpr_names[i]);
        if (v && parse_u64(v, &c->gpr[i])) FAILF("bad regs.%s", gpr_names[i]);
    }
    if (parse_u64(j_get(regs, "rip"), &c->rip)) FAILF("missing or bad regs.rip");
    c->rflags = 0x2;
    if (j_get(regs, "rflags") && parse_u64(j_get(regs, "rflags"), &c->rflags)) FAILF("bad regs.rflags");
    if (j_get(regs, "cr0")) parse_u64(j_get(regs, "cr0"), &c->cr0);
    if (j_get(regs, "cr4")) parse_u64(j_get(regs, "cr4"), &c->cr4);
    c->efer = 0xd01;
    if (j_get(regs, "efer")) parse_u64(j_get(regs, "efer"), &c->efer);
    for (int i = 0; i < 16; i++) {
        char k[8];
        snprintf(k, sizeof k, "xmm%d", i);
        jv *v = j_get(regs, k);
        if (v && (v->t != J_STR || parse_xmm(v->s, c->xmm[i]))) FAILF("bad regs.%s", k);
    }
    for (int s = 0; s < NSEG; s++) {
        jv *v = j_get(regs, seg_names[s]);
        seg_t *sg = &c->seg[s];
        sg->base = 0;
        sg->limit = 0xffffffff;
        sg->attr = s == S_CS ? (c->mode == M_LONG64 ? 0xa0fb : 0xc0fb) : 0xc0f3;
        sg->sel = 0;
        if (!v) continue;
        uint64_t x;
        sg->given = 1;
        if (parse_u64(j_get(v, "sel"), &x)) FAILF("bad regs.%s.sel", seg_names[s]);
        sg->sel = (uint16_t)x;
        if (j_get(v, "base") && parse_u64(j_get(v, "base"), &sg->base)) FAILF("bad regs.%s.base", seg_names[s]);
        if (j_get(v, "limit") && parse_u64(j_get(v, "limit"), &sg->limit)) FAILF("bad regs.%s.limit", seg_names[s]);
        if (j_get(v, "attr")) {
            if (parse_u64(j_get(v, "attr"), &x)) FAILF("bad regs.%s.attr", seg_names[s]);
            sg->attr = (uint16_t)x;
        }
    }
    jv *cpl = j_get(o, "cpl");
    c->cpl = (c->seg[S_CS].attr >> 5) & 3;
    if (cpl && cpl->t == J_NUM) c->cpl = atoi(cpl->s);

    jv *insn = j_get(o, "insn");
    if (!insn || insn->t != J_STR) FAILF("missing key 'insn'");
    {
        uint8_t *b;
        size_t n;
        if (parse_hexbytes(insn->s, &b, &n) || n > 16) FAILF("bad insn");
        memcpy(c->insn, b, n);
        c->insn_len = (int)n;
        free(b);
    }

    jv *pages = j_get(o, "pages");
    if (!pages || pages->t != J_ARR) FAILF("missing key 'pages' (paging-off cases are not supported)");
    c->pages = calloc(pages->n + 1, sizeof *c->pages);
    c->phys = calloc(pages->n + 1, sizeof *c->phys);
    for (size_t i = 0; i < pages->n; i++) {
        jv *p = pages->v[i];
        page_t *pg = &c->pages[c->npages];
        if (parse_u64(j_get(p, "gva"), &pg->gva) || parse_u64(j_get(p, "gpa"), &pg->gpa))
            FAILF("bad pages[%zu]", i);
        pg->gva &= ~(PAGE - 1);
        pg->gpa &= ~(PAGE - 1);
        jv *w = j_get(p, "w"), *u = j_get(p, "u"), *x = j_get(p, "x");
        pg->w = !w || w->t == J_TRUE;
        pg->u = !u || u->t == J_TRUE;
        pg->x = !x || x->t == J_TRUE;
        int dup = 0;
        for (int k = 0; k < c->npages; k++)
            if (c->pages[k].gva == pg->gva) dup = 1;
        if (dup) continue; /* first translation wins */
        int ph = -1;
        for (int k = 0; k < c->nphys; k++)
            if (c->phys[k] == pg->gpa) ph = k;
        if (ph < 0) {
            ph = c->nphys++;
            c->phys[ph] = pg->gpa;
        }
        pg->phys = ph;
        c->npages++;
    }

    jv *mem = j_get(o, "mem");
    if (!mem || mem->t != J_ARR) FAILF("missing key 'mem'");
    c->regions = calloc(mem->n + 1, sizeof *c->regions);
    for (size_t i = 0; i < mem->n; i++) {
        jv *m = mem->v[i];
        region_t *r = &c->regions[c->nregions];
        jv *hex = j_get(m, "hex");
        if (parse_u64(j_get(m, "gpa"), &r->gpa) || !hex || hex->t != J_STR || parse_hexbytes(hex->s, &r->bytes, &r->len))
            FAILF("bad mem[%zu]", i);
        c->nregions++;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Guest address helpers                                                                      */

static const page_t *find_page(const hcase *c, uint64_t lin) {
    for (int i = 0; i < c->npages; i++)
        if (c->pages[i].gva == (lin & ~(PAGE - 1))) return &c->pages[i];
    return NULL;
}

static int find_phys(const hcase *c, uint64_t gpa) {
    for (int i = 0; i < c->nphys; i++)
        if (c->phys[i] == (gpa & ~(PAGE - 1))) return i;
    return -1;
}

/* Linear address of code byte i. */
static uint64_t code_lin(const hcase *c, int i) {
    uint64_t off = c->rip + (uint64_t)i;
    if (c->mode == M_COMPAT16) off &= 0xffff;
    uint64_t lin = c->seg[S_CS].base + off;
    if (c->mode == M_LONG64) return c->rip + (uint64_t)i;
    return lin & 0xffffffffULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Child                                                                                      */

static int make_desc(const hcase *c, int s, struct user_desc *d, int idx, char *why, size_t whylen) {
    const seg_t *sg = &c->seg[s];
    unsigned attr = sg->attr;
    unsigned type = attr & 0xf;
    memset(d, 0, sizeof *d);
    d->entry_number = (unsigned)idx;
    if (!(attr & 0x10)) { snprintf(why, whylen, "%s is a system segment", seg_names[s]); return -1; }
    if (((attr >> 5) & 3) != 3 && !opt_as_user) { snprintf(why, whylen, "%s DPL is not 3", seg_names[s]); return -1; }
    if (sg->base > 0xffffffffULL) { snprintf(why, whylen, "%s base above 4 GiB", seg_names[s]); return -1; }
    d->base_addr = (unsigned)sg->base;
    uint64_t lim = sg->limit;
    if (lim > 0xffffffffULL) lim = 0xffffffffULL;
    int g;
    if (lim <= 0xfffff && (!(attr & 0x8000) || (lim & 0xfff) != 0xfff)) g = 0;
    else if ((lim & 0xfff) == 0xfff) g = 1;
    else { snprintf(why, whylen, "%s limit 0x%" PRIx64 " not representable", seg_names[s], lim); return -1; }
    d->limit_in_pages = (unsigned)g;
    d->limit = (unsigned)(g ? lim >> 12 : lim);
    d->seg_32bit = (attr >> 14) & 1;
    d->useable = (attr >> 12) & 1;
    d->lm = 0;
    d->seg_not_present = 0;
    if (type & 8) { /* code */
        if (type & 4) { snprintf(why, whylen, "%s conforming code is not supported by modify_ldt", seg_names[s]); return -1; }
        if (attr & 0x2000) { snprintf(why, whylen, "%s has L=1 in a compat case", seg_names[s]); return -1; }
        d->contents = 2;
        d->read_exec_only = !(type & 2);
    } else {
        d->contents = (type & 4) ? 1 : 0;
        d->read_exec_only = !(type & 2);
    }
    return 0;
}

static int desc_equal(const struct user_desc *a, const struct user_desc *b) {
    return a->base_addr == b->base_addr && a->limit == b->limit && a->seg_32bit == b->seg_32bit &&
           a->contents == b->contents && a->read_exec_only == b->read_exec_only &&
           a->limit_in_pages == b->limit_in_pages && a->useable == b->useable;
}

#define CHILD_FAIL(...)                                                 \
    do {                                                                \
        snprintf(res->msg, sizeof res->msg, __VA_ARGS__);               \
        res->status = 3;                                                \
        _exit(0);                                                       \
    } while (0)

static int is_null_or_unusable(const seg_t *sg) {
    return (sg->sel & ~3) == 0 || !(sg->attr & 0x80);
}

static void child_run(const hcase *c, int memfd, result_t *res, int use_step) {
    hv_res = res;
    alarm(3);

    /* Alternate signal stack: the guest's RSP is the guest's business. */
    size_t altsz = 256 * 1024;
    void *alt = mmap(NULL, altsz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (alt == MAP_FAILED) CHILD_FAIL("mmap altstack: %s", strerror(errno));
    stack_t ss = {.ss_sp = alt, .ss_size = altsz, .ss_flags = 0};
    if (sigaltstack(&ss, NULL)) CHILD_FAIL("sigaltstack: %s", strerror(errno));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = hv_handler_stub;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigfillset(&sa.sa_mask);
    int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP};
    for (unsigned i = 0; i < sizeof sigs / sizeof *sigs; i++)
        if (sigaction(sigs[i], &sa, NULL)) CHILD_FAIL("sigaction: %s", strerror(errno));

    memset(hv_frame, 0, sizeof hv_frame);
    uint64_t fl = (c->rflags & FL_SETTABLE) | 0x202 | (use_step ? FL_TF : 0);
    if (c->cpl != 3) fl &= ~0x40000ULL; /* no alignment checks below CPL 3 */
    if (c->mode == M_LONG64) {
        for (int s = S_DS; s <= S_GS; s++) {
            uint16_t sel = c->seg[s].sel;
            if ((sel & ~3) != 0 && sel != 0x2b) sel = 0x2b;
            hv_sel[s - S_DS] = sel;
        }
        hv_fsbase = c->seg[S_FS].base;
        hv_gsbase = c->seg[S_GS].base;
        hv_setbases = 1;
        hv_frame[1] = 0x33;
        hv_frame[4] = 0x2b;
    } else {
        /* LDT: one descriptor per distinct segment, at the case's index where possible. */
        struct user_desc descs[NSEG];
        int idxs[NSEG];
        uint16_t sels[NSEG];
        int nd = 0;
        char why[200];
        unsigned char used[8192] = {0};
        int next_free = 16;
        for (int s = 0; s < NSEG; s++) {
            const seg_t *sg = &c->seg[s];
            if (s != S_CS && s != S_SS && is_null_or_unusable(sg)) { sels[s] = sg->sel & 3; continue; }
            if (s == S_SS && is_null_or_unusable(sg)) CHILD_FAIL("ss is null or not present");
            if (s == S_CS && !(sg->attr & 0x80)) CHILD_FAIL("cs not present");
            if (s == S_SS && ((sg->attr & 0xa) != 0x2)) CHILD_FAIL("ss is not a writable data segment");
            if (s == S_CS && !(sg->attr & 0x8)) CHILD_FAIL("cs is not a code segment");
            if (s == S_CS && ((sg->attr >> 14) & 1) != (c->mode == M_COMPAT32))
                CHILD_FAIL("cs.D does not agree with mode %s", c->modename);
            struct user_desc d;
            if (make_desc(c, s, &d, 0, why, sizeof why)) CHILD_FAIL("%s", why);
            int idx = -1;
            if ((sg->sel & 4) && (sg->sel >> 3) != 0) {
                int want = sg->sel >> 3;
                int clash = 0;
                for (int k = 0; k < nd; k++)
                    if (idxs[k] == want) {
                        if (desc_equal(&descs[k], &d)) idx = want;
                        else clash = 1;
                    }
                if (idx < 0 && !clash) {
                    idx = want;
                    d.entry_number = (unsigned)idx;
                    descs[nd] = d;
                    idxs[nd++] = idx;
                    used[idx] = 1;
                }
            }
            if (idx < 0) {
                while (next_free < 8192 && used[next_free]) next_free++;
                idx = next_free;
                used[idx] = 1;
                d.entry_number = (unsigned)idx;
                descs[nd] = d;
                idxs[nd++] = idx;
            }
            uint16_t rpl = (s == S_CS || s == S_SS) ? 3 : (sg->sel & 3);
            sels[s] = (uint16_t)(idx << 3 | 4 | rpl);
        }
        for (int k = 0; k < nd; k++)
            if (syscall(SYS_modify_ldt, 0x11, &descs[k], sizeof descs[k]))
                CHILD_FAIL("modify_ldt: %s", strerror(errno));
        for (int s = S_DS; s <= S_GS; s++) hv_sel[s - S_DS] = sels[s];
        hv_setbases = 0;
        hv_frame[1] = sels[S_CS];
        hv_frame[4] = sels[S_SS];
    }
    hv_frame[0] = c->rip;
    hv_frame[2] = fl;
    hv_frame[3] = c->gpr[4];
    for (int i = 0; i < 16; i++) hv_gpr[i] = c->gpr[i];
    memcpy(hv_xmm, c->xmm, sizeof hv_xmm);
    hv_start_rip = c->rip;
    hv_step = use_step;

    /* Guest pages. */
    int nxe = (c->efer >> 11) & 1;
    for (int i = 0; i < c->npages; i++) {
        const page_t *pg = &c->pages[i];
        int prot = PROT_NONE;
        if (pg->u || opt_as_user) prot = PROT_READ | (pg->w ? PROT_WRITE : 0) | ((pg->x || !nxe) ? PROT_EXEC : 0);
        void *want = (void *)(uintptr_t)pg->gva;
        void *got = mmap(want, PAGE, prot, MAP_SHARED | MAP_FIXED_NOREPLACE, memfd, (off_t)pg->phys * (off_t)PAGE);
        if (got == MAP_FAILED)
            CHILD_FAIL("cannot map page gva 0x%" PRIx64 ": %s%s", pg->gva, strerror(errno),
                       errno == EEXIST ? " (conflicts with the executor's own mappings)" : "");
        if (got != want) CHILD_FAIL("cannot map page gva 0x%" PRIx64 " at its address", pg->gva);
    }

    /*
     * The IRETQ frame. IRETQ to a 16-bit stack segment loads only SP: ESP[31:16] keep the bits of
     * the RSP IRETQ ran with. Put the frame where those bits are the guest's, above 4 GiB (out of
     * reach of compatibility-mode code).
     */
    hv_framep = hv_frame;
    if (c->mode != M_LONG64) {
        uint64_t hi = c->gpr[4] & 0xffff0000ULL;
        void *fp = MAP_FAILED;
        for (uint64_t k = 0x100; k < 0x7f00 && fp == MAP_FAILED; k += 0x11) {
            void *want = (void *)(uintptr_t)(k << 32 | hi);
            fp = mmap(want, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
            if (fp != MAP_FAILED && fp != want) { munmap(fp, PAGE); fp = MAP_FAILED; }
        }
        if (fp == MAP_FAILED) CHILD_FAIL("cannot place the IRET frame");
        hv_framep = (uint64_t *)((char *)fp + 0x100);
        memcpy(hv_framep, hv_frame, sizeof hv_frame);
    }

    /* Nothing the instruction does may reach the outside world. */
    if (syscall(SYS_close_range, 0, ~0U, 0)) {
        for (int fd = 0; fd < 1024; fd++) close(fd);
    }
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0)) CHILD_FAIL("seccomp: %s", strerror(errno));
    hv_enter();
}

/* ------------------------------------------------------------------------------------------ */
/* Parent                                                                                     */

static int opt_keep_skipped = 0;
static int opt_no_step = 0;
static int opt_verbose = 0;

static char *hex64(uint64_t x) {
    static char b[8][24];
    static int k;
    k = (k + 1) % 8;
    snprintf(b[k], sizeof b[k], "0x%" PRIx64, x);
    return b[k];
}

static char *hexbytes(const uint8_t *p, size_t n) {
    char *s = malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++) sprintf(s + 2 * i, "%02x", p[i]);
    s[2 * n] = 0;
    return s;
}

static int vector_has_error(int v) { return v == 8 || v == 10 || v == 11 || v == 12 || v == 13 || v == 14 || v == 17 || v == 21; }

/* Index of the opcode byte after legacy prefixes (and REX in long64); n if none. */
static int opcode_index(const hcase *c, const uint8_t *code, int n, int *rep) {
    *rep = 0;
    for (int i = 0; i < n; i++) {
        uint8_t b = code[i];
        if (b == 0xf2 || b == 0xf3) { *rep = 1; continue; }
        if (b == 0x66 || b == 0x67 || b == 0xf0 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x26 || b == 0x64 ||
            b == 0x65)
            continue;
        if (c->mode == M_LONG64 && (b & 0xf0) == 0x40) continue;
        return i;
    }
    return n;
}

/*
 * Instructions whose outcome depends on the guest's descriptor tables or system state, which the
 * executor does not reproduce (its LDT holds only the six loaded segments, the GDT is Linux's).
 */
static const char *unmodelled_op(const hcase *c, const uint8_t *code, int n, int opi) {
    if (opi >= n) return NULL;
    int op = code[opi];
    int op2 = opi + 1 < n ? code[opi + 1] : -1;
    int modrm = opi + 1 < n ? code[opi + 1] : -1;
    int compat = c->mode != M_LONG64;
    if (op == 0x8e) return "MOV to a segment register";
    if (op == 0xca || op == 0xcb || op == 0xcf) return "far return / IRET";
    if (compat && (op == 0x07 || op == 0x17 || op == 0x1f)) return "POP to a segment register";
    if (compat && (op == 0x9a || op == 0xea)) return "direct far CALL/JMP";
    if (compat && (op == 0xc4 || op == 0xc5) && modrm >= 0 && (modrm >> 6) != 3) return "LES/LDS";
    if (op == 0xff && modrm >= 0 && (((modrm >> 3) & 7) == 3 || ((modrm >> 3) & 7) == 5)) return "indirect far CALL/JMP";
    if (op == 0x0f) {
        int m2 = opi + 2 < n ? code[opi + 2] : -1;
        (void)m2;
        if (op2 == 0xa1 || op2 == 0xa9) return "POP FS/GS";
        if (op2 == 0xb2 || op2 == 0xb4 || op2 == 0xb5) return "LSS/LFS/LGS";
        if (op2 == 0x00 || op2 == 0x01) return "system instruction (0F 00 / 0F 01 group)";
        if (op2 == 0x02 || op2 == 0x03) return "LAR/LSL";
        if (op2 == 0x05 || op2 == 0x07 || op2 == 0x34 || op2 == 0x35) return "SYSCALL/SYSRET/SYSENTER/SYSEXIT";
    }
    return NULL;
}

static int is_string_op(int op) { return (op >= 0xa4 && op <= 0xa7) || (op >= 0xaa && op <= 0xaf) || (op >= 0x6c && op <= 0x6f); }

/* Returns 0 with *out set (a new expect object), or -1 with errbuf set (skip). */
static int run_case(const jv *o, hcase *c, jv **out) {
    jv *exit = j_get(o, "exit");
    if (exit && exit->t == J_STR && !strcmp(exit->s, "io")) FAILF("port I/O exits cannot be executed natively");
    if (c->cpl != 3 && !opt_as_user) FAILF("cpl %d: only CPL 3 cases run natively (see --as-user)", c->cpl);
    for (int i = 0; i < c->npages; i++) {
        if (c->pages[i].gva >= USER_TOP) FAILF("page gva 0x%" PRIx64 " is not in the user half", c->pages[i].gva);
        if (c->pages[i].gva < PAGE) FAILF("page gva 0x%" PRIx64 " is the null page", c->pages[i].gva);
    }
    if (!find_page(c, code_lin(c, 0))) FAILF("code page (linear 0x%" PRIx64 ") is not listed in pages", code_lin(c, 0));

    /* Guest physical memory. */
    size_t physsz = (size_t)(c->nphys ? c->nphys : 1) * PAGE;
    int memfd = (int)syscall(SYS_memfd_create, "hvex-guest", 0);
    if (memfd < 0) FAILF("memfd_create: %s", strerror(errno));
    if (ftruncate(memfd, (off_t)physsz)) { close(memfd); FAILF("ftruncate: %s", strerror(errno)); }
    uint8_t *view = mmap(NULL, physsz, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (view == MAP_FAILED) { close(memfd); FAILF("mmap view: %s", strerror(errno)); }
    uint8_t *covered = calloc(physsz, 1);
    memset(view, 0xcc, physsz);
    for (int r = 0; r < c->nregions; r++) {
        const region_t *rg = &c->regions[r];
        for (size_t i = 0; i < rg->len; i++) {
            int ph = find_phys(c, rg->gpa + i);
            if (ph < 0) continue;
            size_t off = (size_t)ph * PAGE + ((rg->gpa + i) & (PAGE - 1));
            view[off] = rg->bytes[i];
            covered[off] = 1;
        }
    }
    /* Instruction bytes: memory wins where a region holds them, insn fills the rest. */
    int mismatch = 0;
    for (int i = 0; i < c->insn_len; i++) {
        const page_t *pg = find_page(c, code_lin(c, i));
        if (!pg) break;
        size_t off = (size_t)pg->phys * PAGE + (code_lin(c, i) & (PAGE - 1));
        if (covered[off]) {
            if (view[off] != c->insn[i]) mismatch = 1;
        } else {
            view[off] = c->insn[i];
            covered[off] = 2;
        }
    }
    if (mismatch) fprintf(stderr, "warn %s: insn bytes differ from guest memory at rip; executing memory\n", c->id);
    uint8_t code[16];
    int ncode = 0;
    for (; ncode < 16; ncode++) {
        const page_t *pg = find_page(c, code_lin(c, ncode));
        if (!pg) break;
        size_t off = (size_t)pg->phys * PAGE + (code_lin(c, ncode) & (PAGE - 1));
        if (!covered[off]) break;
        code[ncode] = view[off];
    }
    if (ncode == 0) { munmap(view, physsz); close(memfd); free(covered); FAILF("no instruction bytes at rip"); }
    int has_rep;
    int opi = opcode_index(c, code, ncode, &has_rep);
    int op = opi < ncode ? code[opi] : -1;
    if (op == 0xcc || op == 0xcd || op == 0xce || op == 0xf1) {
        munmap(view, physsz); close(memfd); free(covered);
        FAILF("software interrupt instruction (opcode 0x%02x) is not an exit case", op);
    }
    const char *why = unmodelled_op(c, code, ncode, opi);
    if (why) {
        munmap(view, physsz); close(memfd); free(covered);
        FAILF("%s: not modelled by the native executor", why);
    }
    /* TF single-step by default: exact even when the bytes after the instruction are not INT3. */
    int use_step = !opt_no_step && op != 0x9c && op != 0x9d && op != 0xcf;
    if (use_step && has_rep && is_string_op(op) && opi + 1 < 16) {
        /* A REP string instruction would trap on every iteration: run it to an INT3 instead. */
        const page_t *pg = find_page(c, code_lin(c, opi + 1));
        if (pg) {
            size_t off = (size_t)pg->phys * PAGE + (code_lin(c, opi + 1) & (PAGE - 1));
            if (!covered[off] || view[off] == 0xcc) { view[off] = 0xcc; use_step = 0; }
        }
    }

    uint8_t *init = malloc(physsz);
    memcpy(init, view, physsz);

    result_t *res = mmap(NULL, sizeof(result_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (res == MAP_FAILED) { munmap(view, physsz); close(memfd); free(covered); free(init); FAILF("mmap result: %s", strerror(errno)); }
    memset(res, 0, sizeof *res);

    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) { munmap(view, physsz); close(memfd); free(covered); free(init); FAILF("fork: %s", strerror(errno)); }
    if (pid == 0) {
        child_run(c, memfd, res, use_step);
        _exit(1);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    close(memfd);
    int rc = 0;
    if (res->status == 3) {
        snprintf(errbuf, sizeof errbuf, "%s", res->msg);
        if (res->msg[0] == 'e') /* entry fault */
            snprintf(errbuf + strlen(errbuf), sizeof errbuf - strlen(errbuf), " (vector %d error 0x%" PRIx64 ")", res->vector, res->err);
        rc = -1;
    } else if (res->status == 4) {
        snprintf(errbuf, sizeof errbuf, "instruction did not complete within %u single steps", MAX_STEPS);
        rc = -1;
    } else if (res->status != 1 && res->status != 2) {
        if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
            snprintf(errbuf, sizeof errbuf, "child killed (the instruction made a system call, blocked by seccomp)");
        else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
            snprintf(errbuf, sizeof errbuf, "timeout");
        else if (WIFSIGNALED(st))
            snprintf(errbuf, sizeof errbuf, "child died with signal %d", WTERMSIG(st));
        else
            snprintf(errbuf, sizeof errbuf, "child exited with status %d and no result", WEXITSTATUS(st));
        rc = -1;
    }

    if (rc == 0) {
        int fault = res->status == 2;
        uint64_t fin[16];
        memcpy(fin, res->gpr, sizeof fin);
        uint64_t frip = res->rip;
        if (c->mode != M_LONG64) {
            /* Compatibility mode sees the low 32 bits; R8-R15 are out of reach. */
            for (int i = 0; i < 16; i++)
                fin[i] = i < 8 ? ((c->gpr[i] & ~0xffffffffULL) | (fin[i] & 0xffffffffULL)) : c->gpr[i];
            frip &= 0xffffffffULL;
        }
        uint64_t ffl = (res->rflags & FL_SETTABLE) | (c->rflags & ~FL_SETTABLE);

        jv *ex = j_new(J_OBJ);
        j_set(ex, "status", j_str(fault ? "fault" : "ok"));
        if (fault) {
            jv *f = j_new(J_OBJ);
            uint64_t err = res->err;
            if (res->vector == 14) {
                /* The guest's view: P is set exactly when the faulting page is listed; U/S is CPL 3. */
                err &= ~5ULL;
                if (find_page(c, res->cr2)) err |= 1;
                if (c->cpl == 3) err |= 4;
            }
            j_set(f, "vector", j_int(res->vector));
            if (vector_has_error(res->vector)) j_set(f, "error", j_str(hex64(err)));
            if (res->vector == 14) j_set(f, "cr2", j_str(hex64(res->cr2)));
            j_set(ex, "fault", f);
        }
        jv *regs = j_new(J_OBJ);
        for (int i = 0; i < 16; i++)
            if (fin[i] != c->gpr[i]) j_set(regs, gpr_names[i], j_str(hex64(fin[i])));
        if (!fault || frip != c->rip) j_set(regs, "rip", j_str(hex64(frip)));
        if (ffl != c->rflags) j_set(regs, "rflags", j_str(hex64(ffl)));
        for (int i = 0; i < 16; i++) {
            if (memcmp(res->xmm[i], c->xmm[i], 16)) {
                char k[8], v[40];
                snprintf(k, sizeof k, "xmm%d", i);
                strcpy(v, "0x");
                for (int b = 15; b >= 0; b--) sprintf(v + 2 + 2 * (15 - b), "%02x", res->xmm[i][b]);
                j_set(regs, k, j_str(v));
            }
        }
        j_set(ex, "regs", regs);
        /* flagsMask: from the input expectation, else a top-level hint, else all defined bits. */
        jv *oldex = j_get(o, "expect");
        jv *fm = oldex ? j_get(oldex, "flagsMask") : NULL;
        if (!fm) fm = j_get(o, "flagsMask");
        j_set(ex, "flagsMask", j_str(fm && fm->t == J_STR ? fm->s : "0x3f7fd7"));
        jv *mem = j_new(J_ARR);
        for (int r = 0; r < c->nregions; r++) {
            const region_t *rg = &c->regions[r];
            uint8_t *now = malloc(rg->len + 1);
            int changed = 0;
            for (size_t i = 0; i < rg->len; i++) {
                int ph = find_phys(c, rg->gpa + i);
                now[i] = rg->bytes[i];
                if (ph < 0) continue;
                now[i] = view[(size_t)ph * PAGE + ((rg->gpa + i) & (PAGE - 1))];
                if (now[i] != rg->bytes[i]) changed = 1;
            }
            if (changed) {
                jv *m = j_new(J_OBJ);
                char *h = hexbytes(now, rg->len);
                j_set(m, "gpa", j_str(hex64(rg->gpa)));
                j_set(m, "hex", j_str(h));
                free(h);
                j_push(mem, m);
            }
            free(now);
        }
        j_set(ex, "mem", mem);
        for (size_t off = 0; off < physsz; off++) {
            if (!covered[off] && view[off] != init[off]) {
                fprintf(stderr, "warn %s: write outside the mem regions at gpa 0x%" PRIx64 " (not reported)\n", c->id,
                        c->phys[off / PAGE] + (off & (PAGE - 1)));
                break;
            }
        }
        if (opt_verbose)
            fprintf(stderr, "info %s: %s%s steps=%" PRIu64 "\n", c->id, fault ? "fault" : "ok", use_step ? " (tf)" : " (int3)", res->steps);
        *out = ex;
    }
    munmap(res, sizeof *res);
    munmap(view, physsz);
    free(covered);
    free(init);
    return rc;
}

static void usage(void) {
    fprintf(stderr,
            "usage: hvex-oracle [-k] [-v] [--no-step] [FILE...]\n"
            "  Reads exit cases (JSON Lines) from FILEs or stdin, executes each instruction on this\n"
            "  processor and writes the cases with `expect` filled in and `source: \"hw\"` to stdout.\n"
            "  -k         keep skipped cases in the output, unchanged\n"
            "  -v         one line per case on stderr\n"
            "  --no-step  do not single-step with RFLAGS.TF; rely on INT3 after the instruction\n"
            "  --as-user  also run CPL 0-2 cases, at CPL 3: page U bits and segment DPLs are ignored,\n"
            "             RFLAGS.AC is cleared, #PF error codes get U/S from the case's CPL.\n"
            "             An approximation for cross-checking; privileged behaviour is not modelled.\n");
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
            j_free(o);
            n_bad++;
            continue;
        }
        hcase c;
        jv *ex = NULL;
        int rc = load_case(o, &c);
        if (rc == 0) rc = run_case(o, &c, &ex);
        if (rc) {
            fprintf(stderr, "skip %s: %s\n", c.id ? c.id : "?", errbuf);
            n_skip++;
            if (opt_keep_skipped) {
                char *s = j_dump(o);
                fputs(s, stdout);
                fputc('\n', stdout);
                free(s);
            }
        } else {
            jv *st = j_get(ex, "status");
            if (st && !strcmp(st->s, "fault")) n_fault++;
            else n_ok++;
            j_set(o, "expect", ex);
            j_set(o, "source", j_str("hw"));
            char *s = j_dump(o);
            fputs(s, stdout);
            fputc('\n', stdout);
            free(s);
        }
        free_case(&c);
        j_free(o);
    }
    free(line);
}

int main(int argc, char **argv) {
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-k")) opt_keep_skipped = 1;
        else if (!strcmp(argv[i], "-v")) opt_verbose = 1;
        else if (!strcmp(argv[i], "--no-step")) opt_no_step = 1;
        else if (!strcmp(argv[i], "--as-user")) opt_as_user = 1;
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) { usage(); return 0; }
        else if (argv[i][0] == '-' && argv[i][1]) { usage(); return 2; }
    }
    signal(SIGPIPE, SIG_DFL);
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
        } else {
            f = fopen(argv[i], "r");
        }
        if (!f) { fprintf(stderr, "error: cannot open %s: %s\n", argv[i], strerror(errno)); return 2; }
        process_stream(f, argv[i]);
        if (piped) pclose(f);
        else fclose(f);
    }
    if (!nfiles) process_stream(stdin, "<stdin>");
    fflush(stdout);
    fprintf(stderr, "hvex-oracle: %ld cases: %ld ok, %ld fault, %ld skipped, %ld unreadable\n", n_in, n_ok, n_fault, n_skip, n_bad);
    return n_bad ? 1 : 0;
}
