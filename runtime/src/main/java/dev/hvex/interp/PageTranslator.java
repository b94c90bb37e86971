package dev.hvex.interp;

import dev.hvex.EmulatorCallbacks;
import dev.hvex.EmulatorStatus;
import dev.hvex.GvaTranslation;

/**
 * Guest-virtual to guest-physical translation through the VMM's translate callback, as one instruction
 * needs it. Each page is translated once per instruction and access kind, so the exit check, both halves
 * of a split access and the write of a read-modify-write reuse one walk; a walk that fails becomes the #PF
 * of SDM Vol. 3 4.7 (error code and CR2), and a failing or misbehaving callback its status bit.
 */
final class PageTranslator {
    private final Engine engine;
    private final EmulatorCallbacks callbacks;
    /** The VMM's context of the current emulation, kept here too so a walk needs no hop to the engine. */
    Object context;
    private final GvaTranslation result = new GvaTranslation();
    // The pages this instruction translated so far (an instruction touches at most four).
    private final long[] pages = new long[4];
    private final int[] kinds = new int[4];
    private final long[] gpaPages = new long[4];
    private int count;

    PageTranslator(Engine engine, EmulatorCallbacks callbacks) {
        this.engine = engine;
        this.callbacks = callbacks;
    }

    /** A new instruction: nothing translated yet. */
    void forget() {
        count = 0;
    }

    /**
     * The GPA of {@code linear}, translated for {@code kind} (Engine.READ, WRITE, FETCH or a union). A page
     * this instruction already translated for the same kinds costs no callback. Kept small so the JIT
     * inlines it into the memory paths; failures are handled out of line.
     */
    long translate(long linear, int kind) {
        long page = linear & ~4095L;
        for (int i = 0; i < count; i++) {
            if (pages[i] == page && (kinds[i] & kind) == kind) {
                return gpaPages[i] | (linear & 4095);
            }
        }
        long gpaPage = walk(linear, kind);
        remember(page, kind, gpaPage);
        return gpaPage | (linear & 4095);
    }

    /**
     * {@link #translate} for a fast path's single access, without the cache lookup: a fast path translates
     * once (a read-modify-write reuses the GPA of its read), and keeps the result ({@link #remember}) only
     * when it declines and the general path takes over.
     */
    long translateOnce(long linear, int kind) {
        return walk(linear, kind) | (linear & 4095);
    }

    void remember(long page, int kind, long gpaPage) {
        int slot = count < pages.length ? count++ : pages.length - 1;
        pages[slot] = page;
        kinds[slot] = kind;
        gpaPages[slot] = gpaPage;
    }

    /** One translate callback; returns the GPA of the page, or ends the emulation. */
    private long walk(long linear, int kind) {
        GvaTranslation t = result;
        t.set(-1, 0); // a callback that returns true without filling the result must not reuse the last one
        if (!invoke(linear & ~4095L, validationFlags(kind), t)) {
            engine.fail(EmulatorStatus.TRANSLATE_GVA_PAGE_CALLBACK_FAILED, EmulatorStatus.Reason.CALLBACK_FAILED);
        }
        if (t.resultCode() != GvaTranslation.SUCCESS) {
            failed(linear, kind, t.resultCode());
        }
        long gpaPage = t.gpaPage();
        if ((gpaPage & 4095) != 0) {
            engine.fail(EmulatorStatus.TRANSLATE_GVA_PAGE_CALLBACK_GPA_IS_NOT_ALIGNED,
                EmulatorStatus.Reason.CALLBACK_FAILED);
        }
        return gpaPage;
    }

    private static int validationFlags(int kind) {
        int flags = 0;
        if ((kind & Engine.READ) != 0) {
            flags |= GvaTranslation.VALIDATE_READ;
        }
        if ((kind & Engine.WRITE) != 0) {
            flags |= GvaTranslation.VALIDATE_WRITE;
        }
        if ((kind & Engine.FETCH) != 0) {
            flags |= GvaTranslation.VALIDATE_EXECUTE;
        }
        return flags;
    }

    private boolean invoke(long page, int flags, GvaTranslation t) {
        try {
            return callbacks.translateGvaPage(context, page, flags, t);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** A walk that did not succeed: a #PF with the SDM's error code, or a failed callback. */
    private void failed(long linear, int kind, int resultCode) {
        switch (resultCode) {
            case GvaTranslation.PAGE_NOT_PRESENT:
            case GvaTranslation.PRIVILEGE_VIOLATION:
            case GvaTranslation.INVALID_PAGE_TABLE_FLAGS: {
                int error = (resultCode == GvaTranslation.PAGE_NOT_PRESENT ? 0 : 1)
                    | ((kind & Engine.WRITE) != 0 ? 2 : 0) | (engine.cpl == 3 ? 4 : 0)
                    | (resultCode == GvaTranslation.INVALID_PAGE_TABLE_FLAGS ? 8 : 0)
                    | ((kind & Engine.FETCH) != 0 ? 16 : 0);
                engine.outcome().cr2 = linear;
                engine.fault(14, true, error);
                break;
            }
            default:
                engine.fail(EmulatorStatus.TRANSLATE_GVA_PAGE_CALLBACK_FAILED, EmulatorStatus.Reason.CALLBACK_FAILED);
        }
    }
}
