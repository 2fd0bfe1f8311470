package spec

import (
	"crypto/md5"
	"encoding/hex"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"gopkg.in/yaml.v3"
)

// AnonymousEnvironmentName is the name az registers inline environments
// without a name under.
const AnonymousEnvironmentName = "CliV2AnonymousEnvironment"

// CodeVersionBody is the PUT body of a code version whose files are at
// codeURI. az registers a deployment's local code folder as an anonymous
// code version (anonymous = true).
func CodeVersionBody(codeURI string, anonymous bool) armmachinelearning.CodeVersion {
	return armmachinelearning.CodeVersion{Properties: &armmachinelearning.CodeVersionProperties{
		CodeURI:     to.Ptr(codeURI),
		IsAnonymous: to.Ptr(anonymous),
	}}
}

// ARM is the PUT body of the model version whose files are at modelURI. A
// model without a name is anonymous.
func (m *Model) ARM(modelURI string) armmachinelearning.ModelVersion {
	p := &armmachinelearning.ModelVersionProperties{
		Description: optional(m.Description),
		Tags:        ptrMap(m.Tags),
		Properties:  ptrMap(m.Properties),
		ModelType:   to.Ptr(m.Type),
		ModelURI:    to.Ptr(modelURI),
		Stage:       optional(m.Stage),
		IsAnonymous: to.Ptr(m.Name == ""),
	}
	if len(m.Flavors) > 0 {
		p.Flavors = map[string]*armmachinelearning.FlavorData{}
		for k, v := range m.Flavors {
			p.Flavors[k] = &armmachinelearning.FlavorData{Data: ptrMap(v)}
		}
	}
	return armmachinelearning.ModelVersion{Properties: p}
}

// AnonymousModelName is the name az gives a model without one: the MD5 of
// its content hash (the upload hash of its files).
func AnonymousModelName(uploadHash string) string {
	return md5Hex(uploadHash)
}

// ARM is the PUT body of the environment version. contextURI is where the
// build context was uploaded ("" for an image environment).
func (e *Environment) ARM(contextURI string) armmachinelearning.EnvironmentVersion {
	p := &armmachinelearning.EnvironmentVersionProperties{
		Image:       optional(e.Image),
		CondaFile:   optional(e.CondaYAML),
		Description: optional(e.Description),
		Tags:        ptrMap(e.Tags),
		Properties:  ptrMap(e.Properties),
	}
	if e.Name == "" {
		p.IsAnonymous = to.Ptr(true)
	}
	if e.BuildPath != "" {
		uri := e.BuildPath
		if !e.BuildRemote {
			uri = contextURI
		}
		p.Build = &armmachinelearning.BuildContext{ContextURI: to.Ptr(uri), DockerfilePath: optional(e.DockerfilePath)}
	}
	if e.OSType != "" {
		p.OSType = to.Ptr(armmachinelearning.OperatingSystemType(e.OSType))
	}
	if ic := e.InferenceConfig; ic != nil {
		route := func(r Route) *armmachinelearning.Route {
			return &armmachinelearning.Route{Port: to.Ptr(r.Port), Path: to.Ptr(r.Path)}
		}
		p.InferenceConfig = &armmachinelearning.InferenceContainerProperties{
			LivenessRoute: route(ic.Liveness), ReadinessRoute: route(ic.Readiness), ScoringRoute: route(ic.Scoring),
		}
	}
	return armmachinelearning.EnvironmentVersion{Properties: p}
}

// AnonymousVersion is the version az gives an environment without a name,
// a hash of what defines it. For an image environment: the image, the
// inference config and the conda text; for a build context: the context's
// upload hash (buildHash) and the Dockerfile path. az combines the MD5s
// with Python's str.join, which interleaves them; so does this.
func (e *Environment) AnonymousVersion(buildHash string) string {
	var h string
	if e.BuildPath != "" {
		h = md5Hex(buildHash)
		if e.DockerfilePath != "" {
			h = pyJoin(h, md5Hex(e.DockerfilePath))
		}
		return md5Hex(h)
	}
	h = md5Hex(e.Image)
	if ic := e.InferenceConfig; ic != nil {
		h = pyJoin(h, md5Hex(inferenceConfigYAML(ic)))
	}
	if e.CondaYAML != "" {
		h = pyJoin(h, md5Hex(e.CondaYAML))
	}
	return md5Hex(h)
}

// inferenceConfigYAML is the inference config as az dumps it for hashing.
func inferenceConfigYAML(ic *InferenceConfig) string {
	route := func(r Route) map[string]any { return map[string]any{"path": r.Path, "port": int(r.Port)} }
	var n yaml.Node
	if err := n.Encode(map[string]any{"liveness_route": route(ic.Liveness), "readiness_route": route(ic.Readiness), "scoring_route": route(ic.Scoring)}); err != nil {
		return ""
	}
	s, _ := pyYAMLDump(&n)
	return s
}

// pyJoin is Python's sep.join(s) over the characters of s.
func pyJoin(sep, s string) string {
	rs := []rune(s)
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = string(r)
	}
	return strings.Join(parts, sep)
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// dataTypeARM maps data asset types to the REST enum.
var dataTypeARM = map[string]armmachinelearning.DataType{
	DataURIFile:   armmachinelearning.DataTypeURIFile,
	DataURIFolder: armmachinelearning.DataTypeURIFolder,
	DataMLTable:   armmachinelearning.DataTypeMltable,
}

// ARM is the PUT body of the data version pointing at dataURI (the upload's
// URI for a local path, else Path).
func (a *DataAsset) ARM(dataURI string) armmachinelearning.DataVersionBase {
	desc, tags := optional(a.Description), ptrMap(a.Tags)
	f := to.Ptr(false)
	var props armmachinelearning.DataVersionBasePropertiesClassification
	switch a.Type {
	case DataURIFile:
		props = &armmachinelearning.URIFileDataVersion{DataType: to.Ptr(dataTypeARM[a.Type]), DataURI: to.Ptr(dataURI),
			Description: desc, Tags: tags, IsAnonymous: f, IsArchived: f}
	case DataMLTable:
		props = &armmachinelearning.MLTableData{DataType: to.Ptr(dataTypeARM[a.Type]), DataURI: to.Ptr(dataURI),
			Description: desc, Tags: tags, IsAnonymous: f, IsArchived: f}
	default:
		props = &armmachinelearning.URIFolderDataVersion{DataType: to.Ptr(dataTypeARM[DataURIFolder]), DataURI: to.Ptr(dataURI),
			Description: desc, Tags: tags, IsAnonymous: f, IsArchived: f}
	}
	return armmachinelearning.DataVersionBase{Properties: props}
}
