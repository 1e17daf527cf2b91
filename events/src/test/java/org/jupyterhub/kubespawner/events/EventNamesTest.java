package org.jupyterhub.kubespawner.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventNamesTest {

    private static final String SUBDOMAIN = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
    private static final Duration WINDOW = Duration.ofMinutes(10);
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    private static ObjectReference pod(String name, String uid) {
        return new ObjectReferenceBuilder()
                .withApiVersion("v1")
                .withKind("Pod")
                .withNamespace("ns")
                .withName(name)
                .withUid(uid)
                .build();
    }

    private static EventKey key(ObjectReference regarding, String note) {
        return EventKey.of(new Occurrence(regarding, null, EventType.NORMAL, "PodCreated", "Create", note, T0));
    }

    private static String name(ObjectReference regarding, String note, Instant start) {
        return EventNames.name(regarding, key(regarding, note), "example.com/ctl", start, WINDOW);
    }

    @Test
    void sameEventInSameWindowGetsSameName() {
        ObjectReference pod = pod("jupyter-alice", "u1");
        assertThat(name(pod, "n", T0))
                .isEqualTo(name(pod, "n", T0.plus(Duration.ofMinutes(9))))
                .matches("jupyter-alice\\.[0-9a-f]{16}");
    }

    @Test
    void anyDifferenceGivesAnotherName() {
        ObjectReference pod = pod("jupyter-alice", "u1");
        String base = name(pod, "n", T0);
        assertThat(name(pod, "other note", T0)).isNotEqualTo(base);
        assertThat(name(pod("jupyter-alice", "u2"), "n", T0)).isNotEqualTo(base); // recreated object
        assertThat(name(pod, "n", T0.plus(WINDOW))).isNotEqualTo(base); // next window
        assertThat(EventNames.name(pod, key(pod, "n"), "example.com/other", T0, WINDOW))
                .isNotEqualTo(base);
    }

    @Test
    void namesAreValidSubdomainsWhateverTheRegardingName() {
        assertThat(name(pod("system:controller:Foo", "u"), "n", T0))
                .startsWith("system-controller-foo.")
                .matches(SUBDOMAIN);
        assertThat(name(pod("a".repeat(253), "u"), "n", T0)).matches(SUBDOMAIN).hasSizeLessThanOrEqualTo(253);
        assertThat(name(pod("-:-", "u"), "n", T0)).startsWith("event.").matches(SUBDOMAIN);
        assertThat(EventNames.prefix("ab." + "c".repeat(196) + ".d")).isEqualTo("ab." + "c".repeat(196));
    }
}
