package org.jupyterhub.kubespawner.events;

/**
 * Whether an event reports normal operation or something a human should look at; these are the only two types the
 * events.k8s.io/v1 API accepts.
 */
public enum EventType {
    /** Things went as intended: a template was resolved, a pod was created, a server became ready. */
    NORMAL("Normal"),
    /** Something was refused or went wrong: a variable was rejected, an image was denied, a pod failed. */
    WARNING("Warning");

    private final String apiValue;

    EventType(String apiValue) {
        this.apiValue = apiValue;
    }

    /**
     * The value written into the Event's {@code type} field.
     *
     * @return {@code Normal} or {@code Warning}
     */
    public String apiValue() {
        return apiValue;
    }
}
