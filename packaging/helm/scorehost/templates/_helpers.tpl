{{/* Names and labels. */}}
{{- define "scorehost.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "scorehost.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "scorehost.labels" -}}
{{ include "scorehost.selectorLabels" . }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
scorehost/runtime: {{ .Values.runtime | replace "_" "-" | trunc 63 | trimSuffix "-" | quote }}
{{- end -}}

{{/*
Native runtimes are served by plugins compiled into the native image; everything else (DAI MOJO,
DAI Python pipelines, MLflow, Hydrogen Torch) by the python plugin, which needs the Python image.
*/}}
{{- define "scorehost.isNativeRuntime" -}}
{{- if has .Values.runtime (list "h2o3-mojo-scorer" "example-linear") -}}true{{- end -}}
{{- end -}}

{{- define "scorehost.image" -}}
{{- $repo := .Values.image.repository -}}
{{- if not $repo -}}
{{- $repo = ternary .Values.image.native .Values.image.python (eq (include "scorehost.isNativeRuntime" .) "true") -}}
{{- end -}}
{{- printf "%s:%s" $repo (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* Runtimes that refuse to start without DRIVERLESS_AI_LICENSE_KEY. */}}
{{- define "scorehost.needsLicense" -}}
{{- if or (eq .Values.runtime "dai-mojo-scorer") (hasPrefix "python-scorer_dai_pipelines_" .Values.runtime) -}}true{{- end -}}
{{- end -}}

{{- define "scorehost.licenseSecretName" -}}
{{- default (printf "%s-license" (include "scorehost.fullname" .)) .Values.license.existingSecret -}}
{{- end -}}

{{/*
A seed volume name made a Kubernetes volume name (DNS-1123 label). The seed's own examples use
"ephemeral_volume" and "emptyDir_volume", which Kubernetes refuses as they are, so: lower case,
'_' and '.' become '-'. Anything still invalid fails the render with the offending name.
*/}}
{{- define "scorehost.volumeName" -}}
{{- $n := . | toString | lower | replace "_" "-" | replace "." "-" | trunc 63 | trimAll "-" -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" $n) -}}
{{- fail (printf "runtimes.volumeMounts: volume name %q cannot be made a Kubernetes volume name" (toString .)) -}}
{{- end -}}
{{- $n -}}
{{- end -}}

{{/*
A volume's properties as a JSON object, from either form: the seed's YAML map
({size: 1Gi}) or the seed's HOCON list ([{name: size, value: 1Gi}]).
*/}}
{{- define "scorehost.volumeProperties" -}}
{{- $props := dict -}}
{{- if kindIs "slice" . -}}
{{- range . -}}
{{- $_ := set $props (required "runtimes.volumeMounts: a property in list form needs a name" .name) (toString .value) -}}
{{- end -}}
{{- else if kindIs "map" . -}}
{{- range $k, $v := . -}}
{{- $_ := set $props $k (toString $v) -}}
{{- end -}}
{{- end -}}
{{- toJson $props -}}
{{- end -}}

{{/*
The seed's runtimes.volumeMounts, checked and normalised: a JSON list of
{name, type, props, paths}. Fails on an unknown type or property, a duplicate name or path,
an ephemeral volume without a size, or a name that clashes with the chart's own volumes.
*/}}
{{- define "scorehost.userVolumes" -}}
{{- $out := list -}}
{{- $names := dict -}}
{{- $paths := dict -}}
{{- range $i, $v := .Values.runtimes.volumeMounts -}}
{{- $name := include "scorehost.volumeName" (default (printf "volume-%d" $i) $v.name) -}}
{{- if hasKey $names $name -}}
{{- fail (printf "runtimes.volumeMounts: two volumes are named %q" $name) -}}
{{- end -}}
{{- if hasPrefix "scorehost-" $name -}}
{{- fail (printf "runtimes.volumeMounts: volume name %q is reserved (scorehost-* names belong to the chart)" $name) -}}
{{- end -}}
{{- $_ := set $names $name true -}}
{{- $props := include "scorehost.volumeProperties" $v.properties | fromJson -}}
{{- $allowed := list -}}
{{- if eq (toString $v.type) "ephemeral" -}}
{{- $allowed = list "size" "storageClassName" "accessModes" -}}
{{- if not $props.size -}}
{{- fail (printf "runtimes.volumeMounts[%s]: an ephemeral volume needs properties.size (e.g. 1Gi)" $name) -}}
{{- end -}}
{{- else if eq (toString $v.type) "emptyDir" -}}
{{- $allowed = list "medium" "sizeLimit" -}}
{{- else -}}
{{- fail (printf "runtimes.volumeMounts[%s]: type %q is not ephemeral or emptyDir" $name (toString $v.type)) -}}
{{- end -}}
{{- range $k, $_ := $props -}}
{{- if not (has $k $allowed) -}}
{{- fail (printf "runtimes.volumeMounts[%s]: unknown property %q for type %s (known: %s)" $name $k $v.type (join ", " $allowed)) -}}
{{- end -}}
{{- end -}}
{{- $mounts := list -}}
{{- range $p := (default list $v.paths) -}}
{{- if not (hasPrefix "/" $p) -}}
{{- fail (printf "runtimes.volumeMounts[%s]: path %q is not absolute" $name $p) -}}
{{- end -}}
{{- $clean := clean $p -}}
{{- if hasKey $paths $clean -}}
{{- fail (printf "runtimes.volumeMounts: path %q is mounted twice (%s and %s)" $clean (get $paths $clean) $name) -}}
{{- end -}}
{{- $_ := set $paths $clean $name -}}
{{- $mounts = append $mounts $clean -}}
{{- end -}}
{{- $out = append $out (dict "name" $name "type" $v.type "props" $props "paths" $mounts) -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/* "true" when some user volume is mounted at the path or at a directory above it. */}}
{{- define "scorehost.pathCovered" -}}
{{- $target := clean .target -}}
{{- range $v := .volumes -}}
{{- range $p := $v.paths -}}
{{- if or (eq $p $target) (eq $p "/") (hasPrefix (printf "%s/" $p) $target) -}}true{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "scorehost.terminationGracePeriodSeconds" -}}
{{- $minimum := add (int .Values.preStopSleepSeconds) (int .Values.server.drainTimeoutSeconds) -}}
{{- if eq (toString .Values.terminationGracePeriodSeconds) "" -}}
{{- add $minimum 10 -}}
{{- else if le (int .Values.terminationGracePeriodSeconds) $minimum -}}
{{- fail (printf "terminationGracePeriodSeconds (%v) must exceed preStopSleepSeconds + server.drainTimeoutSeconds (%d), or the pod is killed mid-drain" .Values.terminationGracePeriodSeconds $minimum) -}}
{{- else -}}
{{- int .Values.terminationGracePeriodSeconds -}}
{{- end -}}
{{- end -}}

{{/*
An environment variable's value as text. Helm hands numbers to templates as float64, which print
as 1.048576e+06; whole numbers are printed as integers instead.
*/}}
{{- define "scorehost.envValue" -}}
{{- if and (kindIs "float64" .) (eq (float64 (int64 .)) .) -}}
{{- int64 . | toString | quote -}}
{{- else -}}
{{- toString . | quote -}}
{{- end -}}
{{- end -}}
