package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jupyterhub.kubespawner.operator.activity.ProbeTokens;

/**
 * Reads the activity probe's token: one key of the Secret a template's {@code policy.lifecycle.activityProbe} names,
 * in the template's namespace. The only Secret data the operator ever reads, and only of Secrets admins named in
 * templates (the hub cannot name one: it does not write templates).
 */
final class ProbeTokenReader implements ProbeTokens.Reader {

    private final KubernetesClient client;

    ProbeTokenReader(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public String read(String namespace, String name, String key) {
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null) {
            return null;
        }
        if (secret.getStringData() != null && secret.getStringData().containsKey(key)) {
            return secret.getStringData().get(key);
        }
        String encoded = secret.getData() == null ? null : secret.getData().get(key);
        return encoded == null ? null : new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    }
}
