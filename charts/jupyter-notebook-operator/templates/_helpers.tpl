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
- apiGroups: [""]
  resources: [pods, services, persistentvolumeclaims]
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
- apiGroups: [kubespawner.jupyterhub.org]
  resources: [jupyternotebookinstances, jupyternotebookinstancetemplates]
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
{{- end -}}
