package dev.hvex;

/**
 * The answer of the translate-GVA-page callback: a result code (WHV_TRANSLATE_GVA_RESULT_CODE) and,
 * on success, the guest-physical page. The emulator reuses one instance.
 */
public final class GvaTranslation {
    /** WHV_TRANSLATE_GVA_FLAGS, combined with |. */
    public static final int VALIDATE_READ = 0x1;
    public static final int VALIDATE_WRITE = 0x2;
    public static final int VALIDATE_EXECUTE = 0x4;
    public static final int PRIVILEGE_EXEMPT = 0x8;
    public static final int SET_PAGE_TABLE_BITS = 0x10;

    /** WHV_TRANSLATE_GVA_RESULT_CODE values. */
    public static final int SUCCESS = 0;
    public static final int PAGE_NOT_PRESENT = 1;
    public static final int PRIVILEGE_VIOLATION = 2;
    public static final int INVALID_PAGE_TABLE_FLAGS = 3;
    public static final int GPA_UNMAPPED = 4;
    public static final int GPA_NO_READ_ACCESS = 5;
    public static final int GPA_NO_WRITE_ACCESS = 6;
    public static final int GPA_ILLEGAL_OVERLAY_ACCESS = 7;
    public static final int INTERCEPT = 8;

    int resultCode;
    long gpaPage;

    public void set(int resultCode, long gpaPage) {
        this.resultCode = resultCode;
        this.gpaPage = gpaPage;
    }

    public int resultCode() {
        return resultCode;
    }

    /** The guest-physical address of the page; must be 4 KiB aligned. */
    public long gpaPage() {
        return gpaPage;
    }
}
