package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.Map;
import org.jupyterhub.kubespawner.operator.ManagedLabels;

/**
 * Checks the Secret an instance's {@code spec.envSecretRef} names, from its metadata only (the operator never reads
 * Secret data): it must be one the hub wrote (the hub's label, which the hub cannot put on Secrets it did not
 * create) for this very instance, so no instance reaches another user's token or an admin's Secret, whether or not
 * the chart's admission policy is installed. A pure function.
 */
public final class EnvSecretCheck {

    private EnvSecretCheck() {}

    /**
     * The label (key and value) every hub Secret carries.
     *
     * @param key the label's key
     * @param value its value
     */
    public record HubLabel(String key, String value) {

        /**
         * Parses {@code key=value}.
         *
         * @param label the label
         * @return the parsed label
         * @throws IllegalArgumentException when it is not of that form
         */
        public static HubLabel parse(String label) {
            int eq = label == null ? -1 : label.indexOf('=');
            if (eq <= 0 || eq == label.length() - 1) {
                throw new IllegalArgumentException("expected key=value, got '" + label + "'");
            }
            return new HubLabel(
                    label.substring(0, eq).trim(), label.substring(eq + 1).trim());
        }

        @Override
        public String toString() {
            return key + "=" + value;
        }
    }

    /**
     * Why the Secret may not be used by the instance, or null when it may.
     *
     * @param instanceName the instance's name
     * @param secretName the name in spec.envSecretRef
     * @param secret the Secret's metadata, or null when it does not exist
     * @param hubLabel the label the hub puts on its Secrets
     * @return a sentence naming the field, the Secret and what is required, or null
     */
    public static String problem(String instanceName, String secretName, ObjectMeta secret, HubLabel hubLabel) {
        String field = "spec.envSecretRef.name: Secret " + secretName;
        if (secret == null) {
            return field + " does not exist; the hub creates it before the instance (with the API token)";
        }
        Map<String, String> labels = secret.getLabels() == null ? Map.of() : secret.getLabels();
        if (!hubLabel.value().equals(labels.get(hubLabel.key()))) {
            return field + " was not written by the hub: it lacks the label " + hubLabel
                    + "; an instance may only use the Secret the hub wrote for it";
        }
        String forInstance = labels.get(ManagedLabels.INSTANCE);
        if (forInstance != null && !forInstance.equals(instanceName)) {
            return field + " was written for instance " + forInstance + " (label " + ManagedLabels.INSTANCE
                    + "), not for " + instanceName;
        }
        if (forInstance == null && !secretName.equals(instanceName)) {
            return field + " carries no label " + ManagedLabels.INSTANCE + "=" + instanceName
                    + " and is not named like the instance; an instance may only use the Secret written for it";
        }
        return null;
    }
}
