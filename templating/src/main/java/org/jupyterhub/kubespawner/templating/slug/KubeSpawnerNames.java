package org.jupyterhub.kubespawner.templating.slug;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The user-derived template fields of KubeSpawner 7.x ({@code _expand_user_properties} with the default
 * {@code slug_scheme = "safe"}), computed from a JupyterHub user name and server name (empty for the default
 * server). Use {@link #asVariables()} to offer them as template variables with KubeSpawner's names, so that
 * {@code jupyter-{user_server}} and {@code claim-{user_server}} give the names KubeSpawner gave.
 *
 * @param unescapedUsername the user name as JupyterHub knows it
 * @param unescapedServername the server name, empty for the default server
 * @param username {@code safe_slug(username, max_length=48)}
 * @param servername {@code safe_slug(servername, max_length=48)}, empty for the default server
 * @param userServer {@code {username}--{servername}} (just {@code {username}} for the default server), or
 *     {@code multi_slug([username, servername], 48)} when that would be longer than 48 characters
 * @param escapedUsername the legacy "escape" scheme's user name (KubeSpawner before 7)
 * @param escapedServername the legacy "escape" scheme's server name
 * @param usernameLabel value of the {@code hub.jupyter.org/username} label
 * @param servernameLabel value of the {@code hub.jupyter.org/servername} label
 */
public record KubeSpawnerNames(
        String unescapedUsername,
        String unescapedServername,
        String username,
        String servername,
        String userServer,
        String escapedUsername,
        String escapedServername,
        String usernameLabel,
        String servernameLabel) {

    /**
     * Computes every field exactly as KubeSpawner 7.1.0 does.
     *
     * @param username the JupyterHub user name, not null
     * @param servername the server name; null or empty for the default server
     * @return the names
     */
    public static KubeSpawnerNames of(String username, String servername) {
        Objects.requireNonNull(username, "username");
        String rawServer = servername == null ? "" : servername;
        int max = KubeSpawnerSlugs.FIELD_MAX_LENGTH;
        String safeServer = rawServer.isEmpty()
                ? ""
                : KubeSpawnerSlugs.safeSlug(rawServer, KubeSpawnerSlugs::isValidObjectName, max);
        String safeUser = KubeSpawnerSlugs.safeSlug(username, KubeSpawnerSlugs::isValidObjectName, max);
        String userServer;
        if (safeUser.length() + safeServer.length() + 2 > max) {
            userServer = KubeSpawnerSlugs.multiSlug(List.of(username, rawServer), max);
        } else {
            userServer = rawServer.isEmpty() ? safeUser : safeUser + "--" + safeServer;
        }
        return new KubeSpawnerNames(
                username,
                rawServer,
                safeUser,
                safeServer,
                userServer,
                KubeSpawnerSlugs.escapeSlug(username),
                KubeSpawnerSlugs.escapeSlug(rawServer),
                KubeSpawnerSlugs.safeLabelSlug(username),
                KubeSpawnerSlugs.safeLabelSlug(rawServer));
    }

    /**
     * The fields under KubeSpawner's template names: {@code username}, {@code servername}, {@code user_server},
     * {@code unescaped_username}, {@code unescaped_servername}, {@code safe_username}, {@code safe_servername},
     * {@code safe_user_server}, {@code escaped_username}, {@code escaped_servername}, {@code escaped_user_server};
     * plus {@code username_label} and {@code servername_label}, which are not KubeSpawner template fields but the
     * values KubeSpawner puts in the {@code hub.jupyter.org/username} and {@code hub.jupyter.org/servername} labels
     * (a label slug is limited to 32 characters when hashed, so it can differ from {@code username}).
     *
     * @return a new mutable map, in that order
     */
    public Map<String, String> asVariables() {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("username", username);
        variables.put("servername", servername);
        variables.put("user_server", userServer);
        variables.put("unescaped_username", unescapedUsername);
        variables.put("unescaped_servername", unescapedServername);
        variables.put("safe_username", username);
        variables.put("safe_servername", servername);
        variables.put("safe_user_server", userServer);
        variables.put("escaped_username", escapedUsername);
        variables.put("escaped_servername", escapedServername);
        variables.put("escaped_user_server", escapedUsername + "--" + escapedServername);
        variables.put("username_label", usernameLabel);
        variables.put("servername_label", servernameLabel);
        return variables;
    }
}
