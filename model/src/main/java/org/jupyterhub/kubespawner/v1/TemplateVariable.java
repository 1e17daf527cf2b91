package org.jupyterhub.kubespawner.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.kubernetes.api.builder.Editable;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.sundr.builder.annotations.Buildable;
import java.util.List;
import java.util.Objects;

/**
 * A variable declared by a template ({@code spec.variables[]}): the only values an instance may set.
 *
 * <p>The one hand-written type of the model. The CRD fields {@code default} and {@code enum} are Java keywords, so
 * the generator would name them {@code _default}/{@code _enum}, which its builders then silently drop. This class
 * keeps the CRD's JSON names and offers {@link #getDefaultValue()} and {@link #getEnumValues()} instead; a test
 * checks that its properties match the CRD schema exactly.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
// fabric8 deserializes KubernetesResource by kind; this plain value type must bind field by field.
@JsonDeserialize(using = JsonDeserializer.None.class)
@JsonPropertyOrder({"name", "description", "default", "required", "pattern", "maxLength", "enum"})
@Buildable(
        editableEnabled = false,
        validationEnabled = false,
        generateBuilderPackage = false,
        builderPackage = "io.fabric8.kubernetes.api.builder")
public class TemplateVariable implements Editable<TemplateVariableBuilder>, KubernetesResource {

    @JsonProperty("name")
    @JsonPropertyDescription("The variable's name, used as {name} in placeholders.")
    private String name;

    @JsonProperty("description")
    @JsonPropertyDescription("What the variable means; shown to users in the spawn options form.")
    private String description;

    @JsonProperty("default")
    @JsonPropertyDescription("Value used when the instance does not set the variable.")
    private String defaultValue;

    @JsonProperty("required")
    @JsonPropertyDescription("When true, an instance must set this variable.")
    private Boolean required;

    @JsonProperty("pattern")
    @JsonPropertyDescription("A regular expression the whole value must match.")
    private String pattern;

    @JsonProperty("maxLength")
    @JsonPropertyDescription("The longest value allowed, in characters.")
    private Integer maxLength;

    @JsonProperty("enum")
    @JsonPropertyDescription("When set, the value must be one of these.")
    private List<String> enumValues;

    public TemplateVariable() {}

    public TemplateVariable(
            String name,
            String description,
            String defaultValue,
            Boolean required,
            String pattern,
            Integer maxLength,
            List<String> enumValues) {
        this.name = name;
        this.description = description;
        this.defaultValue = defaultValue;
        this.required = required;
        this.pattern = pattern;
        this.maxLength = maxLength;
        this.enumValues = enumValues;
    }

    @Override
    public TemplateVariableBuilder edit() {
        return new TemplateVariableBuilder(this);
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getDescription() {
        return description;
    }

    public void setDescription(String description) {
        this.description = description;
    }

    public String getDefaultValue() {
        return defaultValue;
    }

    public void setDefaultValue(String defaultValue) {
        this.defaultValue = defaultValue;
    }

    public Boolean getRequired() {
        return required;
    }

    public void setRequired(Boolean required) {
        this.required = required;
    }

    public String getPattern() {
        return pattern;
    }

    public void setPattern(String pattern) {
        this.pattern = pattern;
    }

    public Integer getMaxLength() {
        return maxLength;
    }

    public void setMaxLength(Integer maxLength) {
        this.maxLength = maxLength;
    }

    public List<String> getEnumValues() {
        return enumValues;
    }

    public void setEnumValues(List<String> enumValues) {
        this.enumValues = enumValues;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TemplateVariable v
                && Objects.equals(name, v.name)
                && Objects.equals(description, v.description)
                && Objects.equals(defaultValue, v.defaultValue)
                && Objects.equals(required, v.required)
                && Objects.equals(pattern, v.pattern)
                && Objects.equals(maxLength, v.maxLength)
                && Objects.equals(enumValues, v.enumValues);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, description, defaultValue, required, pattern, maxLength, enumValues);
    }

    @Override
    public String toString() {
        return "TemplateVariable(name=" + name + ", default=" + defaultValue + ", required=" + required + ", pattern="
                + pattern + ", maxLength=" + maxLength + ", enum=" + enumValues + ")";
    }
}
