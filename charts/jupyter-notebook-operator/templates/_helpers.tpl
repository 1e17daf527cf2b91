{{/* Names. */}}
{{- define "jno.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "jno.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Cluster-scoped objects carry the release namespace too: two releases in two namespaces never clash. */}}
{{- define "jno.clusterName" -}}
{{- printf "%s-%s" .Release.Namespace (include "jno.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "jno.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "jno.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: jupyter-notebook-operator
{{- end -}}

{{- define "jno.selectorLabels" -}}
app.kubernetes.io/name: {{ include "jno.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "jno.operatorServiceAccount" -}}
{{- default (include "jno.fullname" .) .Values.operator.serviceAccount.name -}}
{{- end -}}

{{- define "jno.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The hub's ServiceAccount namespace and its RBAC username. */}}
{{- define "jno.hubNamespace" -}}
{{- default .Release.Namespace .Values.hub.serviceAccount.namespace -}}
{{- end -}}

{{- define "jno.hubUsername" -}}
{{- printf "system:serviceaccount:%s:%s" (include "jno.hubNamespace" .) .Values.hub.serviceAccount.name -}}
{{- end -}}

{{/* Namespaces the hub works in, as a JSON list (use with fromJsonArray). */}}
{{- define "jno.hubNamespaces" -}}
{{- if .Values.hub.namespaces -}}
{{- .Values.hub.namespaces | uniq | toJson -}}
{{- else -}}
{{- list (include "jno.hubNamespace" .) | toJson -}}
{{- end -}}
{{- end -}}

{{/* Namespaces holding templates the hub may read but where it starts no servers, as a JSON list. */}}
{{- define "jno.hubTemplateNamespaces" -}}
{{- $hub := include "jno.hubNamespaces" . | fromJsonArray -}}
{{- $out := list -}}
{{- range .Values.hub.templateNamespaces -}}
{{- if not (has . $hub) -}}
{{- $out = append $out . -}}
{{- end -}}
{{- end -}}
{{- $out | uniq | toJson -}}
{{- end -}}

{{/* Namespaces the operator watches when not watching all, as a JSON list: by default, the hub's. */}}
{{- define "jno.watchNamespaces" -}}
{{- if .Values.operator.watchNamespaces -}}
{{- .Values.operator.watchNamespaces | uniq | toJson -}}
{{- else -}}
{{- concat (include "jno.hubNamespaces" . | fromJsonArray) (include "jno.hubTemplateNamespaces" . | fromJsonArray) | uniq | toJson -}}
{{- end -}}
{{- end -}}

{{- define "jno.leaderElection" -}}
{{- $le := toString .Values.operator.leaderElection -}}
{{- if eq $le "auto" -}}
{{- gt (int .Values.operator.replicas) 1 -}}
{{- else -}}
{{- $le -}}
{{- end -}}
{{- end -}}

{{/*
The operator's rules: exactly what the code calls (docs/helm-chart.md has the table and the reasons).
No Secrets: the notebook container gets the hub's Secret through envFrom, resolved by the kubelet.
No delete: owned objects are removed by the garbage collector, retained claims are kept on purpose.
No patch of instances (only of their status): the operator never changes what the hub asked for.
*/}}
{{- define "jno.operatorRules" -}}
# delete: suspending a server deletes its pods (and services when the template says so); only objects the instance
# controls, each with its uid as a precondition. Claims are never deleted.
- apiGroups: [""]
  resources: [pods, services]
  verbs: [get, list, watch, create, delete]
- apiGroups: [""]
  resources: [persistentvolumeclaims]
  verbs: [get, list, watch, create]
- apiGroups: [networking.k8s.io]
  resources: [networkpolicies]
  verbs: [get, list, watch, create]
# One named read per spawn, asking for metadata only (PartialObjectMetadata): is the Secret an instance's envSecretRef
# names one the hub wrote for it? No list or watch. (Creating pods already lets the operator mount any Secret of the
# namespace, so this read grants nothing new; the operator never reads Secret data.)
- apiGroups: [""]
  resources: [secrets]
  verbs: [get]
# delete on instances: a template's policy.lifecycle.onLimit Delete ends a server that reached its limit by deleting
# its instance (with the instance's uid as a precondition). The operator never writes an instance's spec.
- apiGroups: [kubespawner.jupyterhub.org]
  resources: [jupyternotebookinstances]
  verbs: [get, list, watch, delete]
- apiGroups: [kubespawner.jupyterhub.org]
  resources: [jupyternotebookinstancetemplates]
  verbs: [get, list, watch]
- apiGroups: [kubespawner.jupyterhub.org]
  resources: [jupyternotebookinstances/status, jupyternotebookinstancetemplates/status]
  verbs: [patch]
- apiGroups: [kubespawner.jupyterhub.org]
  resources: [jupyternotebookinstances/finalizers]
  verbs: [update]
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create, patch]
# Access rules and quotas (admin-owned): read only, the operator decides every spawn from them.
- apiGroups: [kubespawner.jupyterhub.org]
  resources: [jupyternotebookaccesses, jupyternotebookquotas]
  verbs: [get, list, watch]
{{- include "jno.extraObjectRules" . }}
{{- end -}}

{{/* The plural (RBAC resource) of each built-in extraObjects kind. */}}
{{- define "jno.builtinResources" -}}
{"v1/ConfigMap": "configmaps", "v1/Secret": "secrets", "v1/ServiceAccount": "serviceaccounts", "rbac.authorization.k8s.io/v1/RoleBinding": "rolebindings", "networking.k8s.io/v1/Ingress": "ingresses", "gateway.networking.k8s.io/v1/HTTPRoute": "httproutes", "policy/v1/PodDisruptionBudget": "poddisruptionbudgets"}
{{- end -}}

{{/* JNO_EXTRA_KINDS: apiVersion/Kind[=podSpecPath], comma-separated. */}}
{{- define "jno.extraKinds" -}}
{{- $items := list -}}
{{- range .Values.operator.extraObjects.kinds -}}
{{- $item := printf "%s/%s" (required "operator.extraObjects.kinds[]: apiVersion is required" .apiVersion) (required "operator.extraObjects.kinds[]: kind is required" .kind) -}}
{{- if .podSpecPath }}{{ $item = printf "%s=%s" $item .podSpecPath }}{{ end -}}
{{- $items = append $items $item -}}
{{- end -}}
{{- join "," $items -}}
{{- end -}}

{{/* JNO_BINDABLE_ROLES: Kind/name, comma-separated. */}}
{{- define "jno.bindableRoles" -}}
{{- $items := list -}}
{{- range .Values.operator.extraObjects.bindableRoles -}}
{{- $items = append $items (printf "%s/%s" .kind .name) -}}
{{- end -}}
{{- join "," $items -}}
{{- end -}}

{{/* The operator's rights on the allowlisted kinds (get, create: one named read and the create, nothing else) and
     bind on exactly the bindable roles. */}}
{{- define "jno.extraObjectRules" -}}
{{- $builtin := include "jno.builtinResources" . | fromJson -}}
{{- range .Values.operator.extraObjects.kinds }}
{{- $key := printf "%s/%s" .apiVersion .kind }}
{{- $resource := .resource | default (get $builtin $key) }}
{{- if not $resource }}{{ fail (printf "operator.extraObjects.kinds: %s is not built in; give its resource (plural)" $key) }}{{ end }}
{{- $group := "" }}{{ if contains "/" .apiVersion }}{{ $group = index (splitList "/" .apiVersion) 0 }}{{ end }}
- apiGroups: [{{ $group | quote }}]
  resources: [{{ $resource }}]
  verbs: [get, create]
{{- end }}
{{- $roles := dict "Role" (list) "ClusterRole" (list) }}
{{- range .Values.operator.extraObjects.bindableRoles }}
{{- if not (hasKey $roles .kind) }}{{ fail (printf "operator.extraObjects.bindableRoles: kind is Role or ClusterRole, got %v" .kind) }}{{ end }}
{{- $_ := set $roles .kind (append (get $roles .kind) .name) }}
{{- end }}
{{- range $kind, $resource := dict "ClusterRole" "clusterroles" "Role" "roles" }}
{{- with get $roles $kind }}
- apiGroups: [rbac.authorization.k8s.io]
  resources: [{{ $resource }}]
  verbs: [bind]
  resourceNames: [{{ join ", " . }}]
{{- end }}
{{- end }}
{{- end -}}

{{/* JNO_INSTANCE_QUOTAS: namespace/name of the instance quota in each of the hub's namespaces, comma-separated. */}}
{{- define "jno.instanceQuotas" -}}
{{- $items := list -}}
{{- if gt (int .Values.hub.instanceQuota) 0 -}}
{{- range $ns := include "jno.hubNamespaces" . | fromJsonArray -}}
{{- $items = append $items (printf "%s/%s-instances" $ns (include "jno.fullname" $)) -}}
{{- end -}}
{{- end -}}
{{- join "," $items -}}
{{- end -}}
