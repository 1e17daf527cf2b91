package org.jupyterhub.kubespawner.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StringTableTest {

    @Test
    void anEqualStringSeenBeforeIsReturnedInsteadOfTheNewOne() {
        StringTable table = new StringTable(64);
        String first = new String("Ready");
        String second = new String("Ready");

        assertThat(table.share(first)).isSameAs(first);
        assertThat(table.share(second)).isSameAs(first).isNotSameAs(second);
    }

    @Test
    void aCollisionReplacesTheSlotAndNeverReturnsAnUnequalString() {
        StringTable table = new StringTable(1); // every string in the one slot
        String a = table.share(new String("a"));
        String b = new String("b");

        assertThat(table.share(b)).isSameAs(b);
        String a2 = new String("a");
        assertThat(table.share(a2)).isSameAs(a2).isNotSameAs(a);
    }

    @Test
    void longStringsAndNullPassThrough() {
        StringTable table = new StringTable(64);
        String longText = "x".repeat(StringTable.MAX_LENGTH + 1);

        table.share(longText);
        assertThat(table.share(new String(longText))).isNotSameAs(longText).isEqualTo(longText);
        assertThat(table.share(null)).isNull();
    }

    @Test
    void sizeMustBeAPowerOfTwo() {
        assertThatThrownBy(() -> new StringTable(100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("power of two");
    }
}
