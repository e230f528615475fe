// pulumi-resource-docker stand-in: the `docker:index/image:Image` resource of @pulumi/docker, built and pushed
// with the Docker CLI.
//
// Pulumi's docker provider (github.com/pulumi/pulumi-docker/provider/v3, v4, v5) is refused by the Go module proxy
// this machine can reach (403 for every version), so it cannot be built here. This plugin implements the one
// resource the books program uses, with the input and output names of @pulumi/docker 5.x (imageName, build.{context,
// dockerfile, platform, args, target}, registry.{server, username, password}, skipPush → repoDigest, imageName,
// registryServer, platform, context, dockerfile, baseImageName) and the provider settings `host`/`context`. Any
// other resource type is refused loudly. See docs/engine-e2e.md.
package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	pbempty "google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// version is set with -ldflags -X main.version=... by scripts/toolchain/build.sh.
var version = "0.0.0-dev"

const imageType = "docker:index/image:Image"

// diffedInputs are the inputs whose change means a new build (buildOnPreview only steers previews).
var diffedInputs = []resource.PropertyKey{"imageName", "build", "registry", "skipPush"}

type dockerProvider struct {
	pulumirpc.UnimplementedResourceProviderServer
	host          string
	dockerContext string
}

func main() {
	err := provider.Main("docker", func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return &dockerProvider{}, nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

var marshalOptions = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true}

func unmarshal(props *structpb.Struct) (resource.PropertyMap, error) {
	return plugin.UnmarshalProperties(props, marshalOptions)
}

func marshal(props resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(props, marshalOptions)
}

func requireImage(urn string) error {
	if resource.URN(urn).Type() != imageType {
		return fmt.Errorf("this stand-in docker provider implements only %s, not %s", imageType,
			resource.URN(urn).Type())
	}
	return nil
}

func (p *dockerProvider) GetPluginInfo(context.Context, *pbempty.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (p *dockerProvider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: fmt.Sprintf(`{"name":"docker","version":%q}`, version)}, nil
}

func (p *dockerProvider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *dockerProvider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *dockerProvider) Configure(
	_ context.Context, req *pulumirpc.ConfigureRequest,
) (*pulumirpc.ConfigureResponse, error) {
	vars := req.GetVariables()
	p.host = vars["docker:config:host"]
	p.dockerContext = vars["docker:config:context"]
	if args, err := unmarshal(req.GetArgs()); err == nil && args != nil {
		if v := args["host"]; v.IsString() {
			p.host = v.StringValue()
		}
		if v := args["context"]; v.IsString() {
			p.dockerContext = v.StringValue()
		}
	}
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true}, nil
}

func (p *dockerProvider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if err := requireImage(req.GetUrn()); err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	var failures []*pulumirpc.CheckFailure
	if v := news["imageName"]; !v.IsComputed() && !v.IsString() {
		failures = append(failures, &pulumirpc.CheckFailure{Property: "imageName", Reason: "imageName is required"})
	}
	if b := news["build"]; b.IsObject() {
		if c := b.ObjectValue()["context"]; !c.IsComputed() && !c.IsString() {
			failures = append(failures, &pulumirpc.CheckFailure{Property: "build.context",
				Reason: "build.context is required"})
		}
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: failures}, nil
}

func (p *dockerProvider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, key := range diffedInputs {
		if !olds[key].DeepEquals(news[key]) {
			changed = append(changed, string(key))
		}
	}
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: changed}, nil
}

func (p *dockerProvider) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if err := requireImage(req.GetUrn()); err != nil {
		return nil, err
	}
	inputs, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	outputs, err := p.buildAndPush(ctx, inputs)
	if err != nil {
		return nil, err
	}
	props, err := marshal(outputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: outputs["imageName"].StringValue(), Properties: props}, nil
}

func (p *dockerProvider) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	inputs, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	outputs, err := p.buildAndPush(ctx, inputs)
	if err != nil {
		return nil, err
	}
	props, err := marshal(outputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

// Read keeps the recorded state: like the real provider's Image, the image is not re-inspected on refresh.
func (p *dockerProvider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

// Delete leaves pushed images in the registry, as the real provider does.
func (p *dockerProvider) Delete(context.Context, *pulumirpc.DeleteRequest) (*pbempty.Empty, error) {
	return &pbempty.Empty{}, nil
}

func (p *dockerProvider) Cancel(context.Context, *pbempty.Empty) (*pbempty.Empty, error) {
	return &pbempty.Empty{}, nil
}

// imageSpec is the typed view of an Image's inputs.
type imageSpec struct {
	imageName  string
	context    string
	dockerfile string
	platform   string
	target     string
	buildArgs  map[string]string
	skipPush   bool
	server     string
	username   string
	password   string
}

func stringAt(m resource.PropertyMap, key resource.PropertyKey) string {
	v := m[key]
	if v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsString() {
		return v.StringValue()
	}
	return ""
}

func objectAt(m resource.PropertyMap, key resource.PropertyKey) resource.PropertyMap {
	v := m[key]
	if v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsObject() {
		return v.ObjectValue()
	}
	return resource.PropertyMap{}
}

func parseSpec(inputs resource.PropertyMap) (imageSpec, error) {
	build := objectAt(inputs, "build")
	registry := objectAt(inputs, "registry")
	spec := imageSpec{
		imageName:  stringAt(inputs, "imageName"),
		context:    stringAt(build, "context"),
		dockerfile: stringAt(build, "dockerfile"),
		platform:   stringAt(build, "platform"),
		target:     stringAt(build, "target"),
		buildArgs:  map[string]string{},
		skipPush:   inputs["skipPush"].IsBool() && inputs["skipPush"].BoolValue(),
		server:     stringAt(registry, "server"),
		username:   stringAt(registry, "username"),
		password:   stringAt(registry, "password"),
	}
	for k := range objectAt(build, "args") {
		spec.buildArgs[string(k)] = stringAt(objectAt(build, "args"), k)
	}
	if spec.imageName == "" || spec.context == "" {
		return spec, errors.New("imageName and build.context are required")
	}
	if spec.context, _ = filepath.Abs(spec.context); spec.dockerfile == "" {
		spec.dockerfile = filepath.Join(spec.context, "Dockerfile")
	}
	return spec, nil
}

// dockerCLI is the Docker CLI to run; BuildKit builds need one that has BuildKit built in (Debian's /usr/bin/docker)
// or a buildx plugin.
func dockerCLI() string {
	if cli := os.Getenv("BOOKS_DOCKER_CLI"); cli != "" {
		return cli
	}
	return "docker"
}

// docker runs the Docker CLI against the configured engine; configDir, when set, holds the registry credentials.
func (p *dockerProvider) docker(ctx context.Context, configDir string, args ...string) (string, error) {
	var global []string
	if configDir != "" {
		global = append(global, "--config", configDir)
	}
	if p.host != "" {
		global = append(global, "--host", p.host)
	} else if p.dockerContext != "" {
		global = append(global, "--context", p.dockerContext)
	}
	cmd := exec.CommandContext(ctx, dockerCLI(), append(global, args...)...)
	cmd.Env = append(os.Environ(), "DOCKER_BUILDKIT=1")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		text := out.String()
		if len(text) > 4000 {
			text = "…" + text[len(text)-4000:]
		}
		return "", fmt.Errorf("docker %s: %w\n%s", args[0], err, text)
	}
	return out.String(), nil
}

// pushedDigest matches the line `docker push` ends with: "<tag>: digest: sha256:… size: N".
var pushedDigest = regexp.MustCompile(`digest: (sha256:[0-9a-f]{64})`)

func (p *dockerProvider) buildAndPush(ctx context.Context, inputs resource.PropertyMap) (resource.PropertyMap, error) {
	spec, err := parseSpec(inputs)
	if err != nil {
		return nil, err
	}
	buildArgs := []string{"build", "--file", spec.dockerfile, "--tag", spec.imageName}
	if spec.platform != "" {
		buildArgs = append(buildArgs, "--platform", spec.platform)
	}
	if spec.target != "" {
		buildArgs = append(buildArgs, "--target", spec.target)
	}
	names := make([]string, 0, len(spec.buildArgs))
	for name := range spec.buildArgs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		buildArgs = append(buildArgs, "--build-arg", name+"="+spec.buildArgs[name])
	}
	if _, err := p.docker(ctx, "", append(buildArgs, spec.context)...); err != nil {
		return nil, err
	}

	repoDigest := ""
	if spec.skipPush {
		id, err := p.docker(ctx, "", "image", "inspect", "--format", "{{.Id}}", spec.imageName)
		if err != nil {
			return nil, err
		}
		repoDigest = strings.TrimSpace(id)
	} else {
		configDir, err := credentialsDir(spec)
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(configDir)
		out, err := p.docker(ctx, configDir, "push", spec.imageName)
		if err != nil {
			return nil, err
		}
		match := pushedDigest.FindStringSubmatch(out)
		if match == nil {
			return nil, fmt.Errorf("docker push printed no digest:\n%s", out)
		}
		repoDigest = repository(spec.imageName) + "@" + match[1]
	}

	outputs := inputs.Copy()
	outputs["imageName"] = resource.NewStringProperty(spec.imageName)
	outputs["repoDigest"] = resource.NewStringProperty(repoDigest)
	outputs["registryServer"] = resource.NewStringProperty(spec.server)
	outputs["platform"] = resource.NewStringProperty(spec.platform)
	outputs["context"] = resource.NewStringProperty(spec.context)
	outputs["dockerfile"] = resource.NewStringProperty(spec.dockerfile)
	outputs["baseImageName"] = resource.NewStringProperty(repository(spec.imageName))
	if registry := objectAt(inputs, "registry"); registry.HasValue("password") {
		// The password never lands in the state in clear.
		secretRegistry := registry.Copy()
		secretRegistry["password"] = resource.MakeSecret(resource.NewStringProperty(spec.password))
		outputs["registry"] = resource.NewObjectProperty(secretRegistry)
	}
	return outputs, nil
}

// repository strips the tag from an image name ("host:5000/a/b:tag" → "host:5000/a/b").
func repository(imageName string) string {
	slash := strings.LastIndex(imageName, "/")
	if colon := strings.LastIndex(imageName, ":"); colon > slash {
		return imageName[:colon]
	}
	return imageName
}

// credentialsDir writes a throwaway Docker config holding only this image's registry credentials, so the push never
// depends on (or writes to) the user's ~/.docker.
func credentialsDir(spec imageSpec) (string, error) {
	dir, err := os.MkdirTemp("", "books-docker-config-")
	if err != nil {
		return "", err
	}
	auths := map[string]map[string]string{}
	if spec.server != "" && spec.username != "" {
		auths[spec.server] = map[string]string{
			"auth": base64.StdEncoding.EncodeToString([]byte(spec.username + ":" + spec.password)),
		}
	}
	data, err := json.Marshal(map[string]any{"auths": auths})
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "config.json"), data, 0o600)
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}
