package org.jupyterhub.kubespawner.operator.access;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancespec.User;

/**
 * The JupyterHub user an instance is for, and the user's groups, as the hub asserted them in {@code spec.user}. The
 * hub is the authority on who a user is; the operator checks only that the assertion is there, well formed and
 * consistent with the rest of the instance, then decides what the admin allowed for that user.
 *
 * @param name the user name, unescaped
 * @param groups the group names, each once
 */
public record HubUser(String name, List<String> groups) {

    /** The annotation the spawner stamps with the unescaped user name (KubeSpawner's). */
    public static final String USERNAME_ANNOTATION = "hub.jupyter.org/username";

    /**
     * Copies the list.
     *
     * @param name see {@link #name()}
     * @param groups see {@link #groups()}
     */
    public HubUser {
        groups = groups == null ? List.of() : List.copyOf(groups);
    }

    /** What an instance asserts about its user. */
    public sealed interface Assertion {}

    /**
     * A well-formed user.
     *
     * @param user the user
     */
    public record Asserted(HubUser user) implements Assertion {}

    /** No spec.user. */
    public record Missing() implements Assertion {}

    /**
     * spec.user is there but cannot be trusted as it is.
     *
     * @param problem what is wrong, naming the field
     */
    public record Malformed(String problem) implements Assertion {}

    /**
     * Reads and checks an instance's spec.user. The CRD's schema already bounds lengths and refuses duplicate groups;
     * this checks again (an older CRD, a client bypassing nothing) and adds what a schema cannot: no blank or padded
     * names, no control characters, and the name the same as the instance's {@value #USERNAME_ANNOTATION}
     * annotation when it has one (the spawner sets both).
     *
     * @param instance the instance
     * @return the assertion
     */
    public static Assertion of(JupyterNotebookInstance instance) {
        User user = instance.getSpec() == null ? null : instance.getSpec().getUser();
        if (user == null) {
            return new Missing();
        }
        String problem = nameProblem("spec.user.name", user.getName());
        if (problem != null) {
            return new Malformed(problem);
        }
        List<String> groups = user.getGroups() == null ? List.of() : user.getGroups();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < groups.size(); i++) {
            String field = "spec.user.groups[" + i + "]";
            problem = nameProblem(field, groups.get(i));
            if (problem != null) {
                return new Malformed(problem);
            }
            if (!seen.add(groups.get(i))) {
                return new Malformed(field + ": group '" + groups.get(i) + "' is listed twice");
            }
        }
        Map<String, String> annotations = instance.getMetadata().getAnnotations();
        String stamped = annotations == null ? null : annotations.get(USERNAME_ANNOTATION);
        if (stamped != null && !stamped.equals(user.getName())) {
            return new Malformed(
                    "spec.user.name '" + user.getName() + "' is not the user the instance is annotated for ("
                            + USERNAME_ANNOTATION + ": '" + stamped + "')");
        }
        return new Asserted(new HubUser(user.getName(), groups));
    }

    private static String nameProblem(String field, String value) {
        if (value == null || value.isEmpty()) {
            return field + " is empty";
        }
        if (value.length() > 255) {
            return field + " is " + value.length() + " characters long; at most 255 are allowed";
        }
        if (!value.equals(value.strip())) {
            return field + " '" + value + "' starts or ends with white space";
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return field + " contains a control character";
            }
        }
        return null;
    }

    /** @return "user NAME (groups a, b)" for messages */
    public String describe() {
        return "user " + name + (groups.isEmpty() ? " (no groups)" : " (groups " + String.join(", ", groups) + ")");
    }
}
