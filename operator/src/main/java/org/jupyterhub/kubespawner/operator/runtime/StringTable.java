package org.jupyterhub.kubespawner.operator.runtime;

/**
 * A lossy table of shared strings, like the field-name tables of JSON parsers: {@link #share} returns an equal
 * string seen before when its slot still holds one, else keeps this one in the slot. Thousands of cached objects
 * repeat the same few hundred values (condition types, "True", namespaces, image names, timestamps), and sharing
 * them halves the strings an informer cache holds; a unique value (a uid) merely takes a slot over.
 *
 * <p>Thread-safe without locks: slots are plain references to immutable strings, a lost race only means a missed
 * share. Bounded: the table holds at most {@code size} strings of at most {@link #MAX_LENGTH} characters.
 */
final class StringTable {

    /** Longer strings (messages, annotations) are rarely repeated exactly and are not shared. */
    static final int MAX_LENGTH = 128;

    private final String[] slots;
    private final int mask;

    /** @param size slots, a power of two */
    StringTable(int size) {
        if (Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("size must be a power of two, got " + size);
        }
        this.slots = new String[size];
        this.mask = size - 1;
    }

    /**
     * @param s a string just read, may be null
     * @return an equal string, the one shared before when there is one
     */
    String share(String s) {
        if (s == null || s.length() > MAX_LENGTH) {
            return s;
        }
        int h = s.hashCode();
        int slot = (h ^ (h >>> 16)) & mask;
        String held = slots[slot];
        if (s.equals(held)) {
            return held;
        }
        slots[slot] = s;
        return s;
    }
}
