package org.jupyterhub.kubespawner.operator.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.v1.JupyterNotebookAccess;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatestatus.Access;

/** The access decision: every way a rule grants or does not, the messages, the windows, and what is published. */
class AccessRulesTest {

    static final Instant NOW = Instant.parse("2027-02-01T12:00:00Z");

    private final AccessIndex index = new AccessIndex();

    static JupyterNotebookInstanceTemplate template(String name, String access) {
        return Serialization.unmarshal(
                """
                apiVersion: kubespawner.jupyterhub.org/v1
                kind: JupyterNotebookInstanceTemplate
                metadata: {name: %s, namespace: hub, uid: uid-%1$s, generation: 1}
                spec:
                  pods: [{name: nb, spec: {containers: [{name: c, image: 'quay.io/jupyter/base-notebook'}]}}]
                  policy:
                    allowedImages: ['**']
                %s
                """.formatted(name, access == null ? "" : ("access: " + access).indent(4)),
                JupyterNotebookInstanceTemplate.class);
    }

    static JupyterNotebookAccess access(String name, String spec) {
        return Serialization.unmarshal("""
                apiVersion: kubespawner.jupyterhub.org/v1
                kind: JupyterNotebookAccess
                metadata: {name: %s, namespace: hub}
                spec: %s
                """.formatted(name, spec), JupyterNotebookAccess.class);
    }

    static HubUser.Assertion user(String name, String... groups) {
        return new HubUser.Asserted(new HubUser(name, List.of(groups)));
    }

    private AccessVerdict decide(JupyterNotebookInstanceTemplate t, HubUser.Assertion who, Instant now) {
        TemplateAccess access = index.templateAccess(t);
        return AccessRules.decide(access, index.rulesFor("hub", t.getMetadata().getName()), who, now);
    }

    @Test
    void aTemplateWithoutPolicyAccessRestrictsNothing() {
        assertThat(index.templateAccess(template("open", null))).isNull();
    }

    @Test
    void theTemplatesOwnRuleGrantsByUserAndByGroup() {
        JupyterNotebookInstanceTemplate gpu = template("gpu", "{users: [ada], groups: [physics]}");

        assertThat(decide(gpu, user("ada"), NOW))
                .isInstanceOfSatisfying(
                        AccessVerdict.Granted.class,
                        g -> assertThat(g.message())
                                .isEqualTo("granted to user ada by template hub/gpu (policy.access)"));
        assertThat(decide(gpu, user("bob", "chemistry", "physics"), NOW).message())
                .isEqualTo("granted to group physics by template hub/gpu (policy.access)");
        assertThat(decide(gpu, user("eve", "chemistry"), NOW)).isInstanceOf(AccessVerdict.Denied.class);
    }

    @Test
    void aDenialNamesTheRulesButNoOtherUser() {
        JupyterNotebookInstanceTemplate gpu = template("gpu", "{users: [ada, grace], whenAccessEnds: Delete}");
        index.put(access("physics-gpu", "{templates: [gpu], groups: [physics, astro], users: [linus]}"));
        index.put(access("everything", "{templates: ['*'], groups: [staff]}"));
        index.put(access("other", "{templates: [cpu], groups: [chemistry]}"));

        AccessVerdict v = decide(gpu, user("eve", "chemistry"), NOW);

        assertThat(v).isInstanceOfSatisfying(AccessVerdict.Denied.class, d -> {
            assertThat(d.whenAccessEnds()).isEqualTo(AccessReaction.Delete);
            assertThat(d.nextChange()).isNull();
        });
        assertThat(v.message())
                .isEqualTo("template hub/gpu restricts access (policy.access) and no rule grants user eve (groups"
                        + " chemistry) now; 3 rules name it: template hub/gpu (policy.access) (2 users),"
                        + " JupyterNotebookAccess hub/physics-gpu (groups astro, physics; 1 user),"
                        + " JupyterNotebookAccess hub/everything (groups staff). Ask an administrator for access (a"
                        + " JupyterNotebookAccess in namespace hub)")
                .doesNotContain("ada", "grace", "linus");
        assertThat(decide(gpu, user("linus"), NOW).message())
                .contains("user linus by JupyterNotebookAccess hub/physics-gpu");
        assertThat(decide(gpu, user("sam", "staff"), NOW).message())
                .isEqualTo("granted to group staff by JupyterNotebookAccess hub/everything");
    }

    @Test
    void windowsOpenAndCloseAndTheDenialSaysWhen() {
        JupyterNotebookInstanceTemplate course = template("course", "{}");
        index.put(access(
                "spring",
                "{templates: [course], groups: [phys201], notBefore: '2027-01-11T08:00:00Z',"
                        + " notAfter: '2027-04-30T18:00:00+00:00'}"));
        HubUser.Assertion student = user("ada", "phys201");

        AccessVerdict before = decide(course, student, Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(before).isInstanceOf(AccessVerdict.Denied.class);
        assertThat(before.message())
                .endsWith("no rule grants user ada (groups phys201) now: JupyterNotebookAccess hub/spring grants it"
                        + " only from 2027-01-11T08:00:00Z (notBefore)");
        assertThat(before.nextChange()).isEqualTo(Instant.parse("2027-01-11T08:00:00Z"));

        AccessVerdict during = decide(course, student, NOW);
        assertThat(during).isInstanceOf(AccessVerdict.Granted.class);
        assertThat(during.message()).endsWith("until 2027-04-30T18:00:00Z");
        assertThat(during.nextChange()).isEqualTo(Instant.parse("2027-04-30T18:00:00Z"));

        AccessVerdict atTheEnd = decide(course, student, Instant.parse("2027-04-30T18:00:00Z"));
        assertThat(atTheEnd).isInstanceOf(AccessVerdict.Denied.class);
        assertThat(atTheEnd.message())
                .endsWith("JupyterNotebookAccess hub/spring granted it until 2027-04-30T18:00:00Z (notAfter)");
        assertThat(atTheEnd.nextChange()).isNull();
    }

    @Test
    void theLongestGrantExplainsAndTheSoonestChangeIsReported() {
        JupyterNotebookInstanceTemplate t = template("t", "{groups: [a], notAfter: '2027-03-01T00:00:00Z'}");
        index.put(access("forever", "{templates: [t], groups: [b]}"));
        index.put(access("later", "{templates: [t], users: ['*'], notBefore: '2027-02-15T00:00:00Z'}"));

        AccessVerdict v = decide(t, user("ada", "a", "b"), NOW);

        assertThat(v.message()).isEqualTo("granted to group b by JupyterNotebookAccess hub/forever");
        assertThat(v.nextChange()).isEqualTo(Instant.parse("2027-02-15T00:00:00Z"));
    }

    @Test
    void aRuleWhoseWindowCannotBeReadGrantsNothingAndSaysWhy() {
        JupyterNotebookInstanceTemplate t = template("t", "{}");
        index.put(access("broken", "{templates: [t], users: [ada], notAfter: '2027-13-01T00:00:00Z'}"));

        AccessVerdict v = decide(t, user("ada"), NOW);

        assertThat(v).isInstanceOf(AccessVerdict.Denied.class);
        assertThat(v.message())
                .endsWith("JupyterNotebookAccess hub/broken grants nothing: notAfter '2027-13-01T00:00:00Z' is not an"
                        + " RFC 3339 time");
    }

    @Test
    void changingAndDeletingARuleTakesEffectAtTheNextDecision() {
        JupyterNotebookInstanceTemplate t = template("t", "{}");
        JupyterNotebookAccess grant = access("g", "{templates: [t], users: [ada]}");
        index.put(grant);
        assertThat(decide(t, user("ada"), NOW)).isInstanceOf(AccessVerdict.Granted.class);

        JupyterNotebookAccess moved = access("g", "{templates: [u], users: [ada]}");
        index.put(moved);
        assertThat(decide(t, user("ada"), NOW)).isInstanceOf(AccessVerdict.Denied.class);
        assertThat(index.templatesAffectedBy(moved)).containsExactlyInAnyOrder("u", "t");

        index.put(grant);
        index.remove(grant);
        assertThat(decide(t, user("ada"), NOW)).isInstanceOf(AccessVerdict.Denied.class);
        assertThat(index.size()).isZero();
    }

    @Test
    void anInstanceThatDoesNotSayWhoItsUserIsIsUnidentified() {
        JupyterNotebookInstanceTemplate t = template("t", "{users: ['*']}");

        assertThat(decide(t, new HubUser.Missing(), NOW))
                .isInstanceOfSatisfying(
                        AccessVerdict.Unidentified.class,
                        u -> assertThat(u.message())
                                .startsWith("spec.user is required: template hub/t restricts access"));
        assertThat(decide(t, new HubUser.Malformed("spec.user.name is empty"), NOW)
                        .message())
                .isEqualTo("spec.user.name is empty");
        assertThat(decide(t, user("anyone"), NOW).message())
                .isEqualTo("granted to every user by template hub/t (policy.access)");
    }

    @Test
    void theUsersAssertionIsCheckedForShapeAndAgainstTheInstancesAnnotation() {
        assertThat(HubUser.of(instance("{}", null))).isInstanceOf(HubUser.Missing.class);
        assertThat(HubUser.of(instance("{user: {name: ada, groups: [a, b]}}", "ada")))
                .isEqualTo(new HubUser.Asserted(new HubUser("ada", List.of("a", "b"))));
        assertThat(problem(instance("{user: {name: ' ada'}}", null)))
                .isEqualTo("spec.user.name ' ada' starts or ends with white space");
        assertThat(problem(instance("{user: {name: ada, groups: [a, a]}}", null)))
                .isEqualTo("spec.user.groups[1]: group 'a' is listed twice");
        JupyterNotebookInstance control = instance("{user: {name: ada}}", null);
        control.getSpec().getUser().setGroups(List.of("a\u0007b"));
        assertThat(problem(control)).isEqualTo("spec.user.groups[0] contains a control character");
        assertThat(problem(instance("{user: {name: admin}}", "ada")))
                .isEqualTo("spec.user.name 'admin' is not the user the instance is annotated for"
                        + " (hub.jupyter.org/username: 'ada')");
    }

    @Test
    void publishedAccessListsWhoIsGrantedNowAndWhenThatChanges() {
        JupyterNotebookInstanceTemplate t = template("t", "{users: [grace], groups: [staff]}");
        index.put(access("now", "{templates: [t], users: [ada], groups: [physics], notAfter: '2027-03-01T00:00:00Z'}"));
        index.put(access("soon", "{templates: ['*'], groups: [chemistry], notBefore: '2027-02-10T00:00:00Z'}"));
        index.put(access("elsewhere", "{templates: [u], groups: [biology]}"));

        Access published = AccessRules.publish(index.templateAccess(t), index.rulesFor("hub", "t"), NOW);

        assertThat(published.getUsers()).containsExactly("ada", "grace");
        assertThat(published.getGroups()).containsExactly("physics", "staff");
        assertThat(published.getRules()).isEqualTo(3);
        assertThat(published.getNextChange()).isEqualTo("2027-02-10T00:00:00Z");
        assertThat(published.getTruncated()).isNull();

        index.put(access("all", "{templates: [t], users: ['*', zed]}"));
        assertThat(AccessRules.publish(index.templateAccess(t), index.rulesFor("hub", "t"), NOW)
                        .getUsers())
                .containsExactly("*");
    }

    private static JupyterNotebookInstance instance(String spec, String annotatedUser) {
        JupyterNotebookInstance i = Serialization.unmarshal(
                """
                apiVersion: kubespawner.jupyterhub.org/v1
                kind: JupyterNotebookInstance
                metadata: {name: nb, namespace: hub}
                spec: %s
                """.formatted(spec.replaceFirst("\\{", "{template: {name: t}, ").replace(", }", "}")),
                JupyterNotebookInstance.class);
        if (annotatedUser != null) {
            i.getMetadata().setAnnotations(java.util.Map.of(HubUser.USERNAME_ANNOTATION, annotatedUser));
        }
        return i;
    }

    private static String problem(JupyterNotebookInstance i) {
        return ((HubUser.Malformed) HubUser.of(i)).problem();
    }
}
