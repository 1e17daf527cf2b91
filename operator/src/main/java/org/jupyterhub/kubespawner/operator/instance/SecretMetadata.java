package org.jupyterhub.kubespawner.operator.instance;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a Secret's metadata without its data: a GET that asks the API server for a {@code PartialObjectMetadata}
 * (as client-go's metadata informers do), so the operator's
 * process never holds a Secret's values, even though RBAC cannot grant "metadata only".
 */
@FunctionalInterface
public interface SecretMetadata {

    /** The Accept header that makes the API server answer with the object's metadata alone. */
    String PARTIAL_OBJECT_METADATA = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";

    /**
     * Reads a Secret's metadata.
     *
     * @param namespace its namespace
     * @param name its name
     * @return its metadata, or null when it does not exist
     * @throws KubernetesClientException when the API server cannot be asked (worth retrying)
     */
    ObjectMeta get(String namespace, String name);

    /**
     * Reads through a fabric8 client (its authentication and rate limits).
     *
     * @param client the client
     * @return the reader
     */
    static SecretMetadata of(KubernetesClient client) {
        return (namespace, name) -> {
            URI uri = URI.create(client.getMasterUrl().toString())
                    .resolve("api/v1/namespaces/" + encode(namespace) + "/secrets/" + encode(name));
            HttpRequest request = client.getHttpClient()
                    .newHttpRequestBuilder()
                    .uri(uri)
                    .setHeader("Accept", PARTIAL_OBJECT_METADATA)
                    .build();
            HttpResponse<String> response;
            try {
                response =
                        client.getHttpClient().sendAsync(request, String.class).get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KubernetesClientException("interrupted reading Secret " + name, e);
            } catch (ExecutionException | TimeoutException e) {
                throw new KubernetesClientException("cannot read Secret " + namespace + "/" + name + ": " + e, e);
            }
            if (response.code() == 404) {
                return null;
            }
            if (!response.isSuccessful()) {
                throw new KubernetesClientException(
                        "reading the metadata of Secret " + namespace + "/" + name + " failed: HTTP " + response.code()
                                + " " + response.body(),
                        response.code(),
                        null);
            }
            JsonNode partial = client.getKubernetesSerialization().unmarshal(response.body(), JsonNode.class);
            return client.getKubernetesSerialization().convertValue(partial.path("metadata"), ObjectMeta.class);
        };
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8);
    }
}
