package dev.hvex.spec;

/** The opcode maps: legacy escapes, 3DNow!, and the VEX and EVEX maps. */
public enum OpMap {
    ONE_BYTE("1B"),
    MAP_0F("0F"),
    MAP_0F38("0F38"),
    MAP_0F3A("0F3A"),
    MAP_0F0F("0F0F"),
    VEX_0F("VEX.0F"),
    VEX_0F38("VEX.0F38"),
    VEX_0F3A("VEX.0F3A"),
    EVEX_0F("EVEX.0F"),
    EVEX_0F38("EVEX.0F38"),
    EVEX_0F3A("EVEX.0F3A"),
    EVEX_MAP5("EVEX.MAP5"),
    EVEX_MAP6("EVEX.MAP6");

    private final String label;

    OpMap(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public boolean isVex() {
        return name().startsWith("VEX");
    }

    public boolean isEvex() {
        return name().startsWith("EVEX");
    }

    public static OpMap byLabel(String label) {
        for (OpMap m : values()) {
            if (m.label.equals(label)) {
                return m;
            }
        }
        return null;
    }
}
