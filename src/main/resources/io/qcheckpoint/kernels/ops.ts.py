class Ops(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  def quantize_per_tensor(self: __torch__.Ops,
    x: Tensor, scale: float, zero_point: int, dtype: int) -> Tensor:
    return torch.quantize_per_tensor(x, scale, zero_point, dtype)
  def quantize_per_channel(self: __torch__.Ops,
    x: Tensor, scales: Tensor, zero_points: Tensor, axis: int, dtype: int) -> Tensor:
    return torch.quantize_per_channel(x, scales, zero_points, axis, dtype)
  def dequantize(self: __torch__.Ops,
    x: Tensor) -> Tensor:
    return torch.dequantize(x)
  def make_per_tensor(self: __torch__.Ops,
    int_repr: Tensor, scale: float, zero_point: int) -> Tensor:
    return torch._make_per_tensor_quantized_tensor(int_repr, scale, zero_point)
  def make_per_channel(self: __torch__.Ops,
    int_repr: Tensor, scales: Tensor, zero_points: Tensor, axis: int) -> Tensor:
    return torch._make_per_channel_quantized_tensor(int_repr, scales, zero_points, axis)
  def int_repr(self: __torch__.Ops,
    x: Tensor) -> Tensor:
    return torch.int_repr(x)
  def qscheme(self: __torch__.Ops,
    x: Tensor):
    return torch.qscheme(x)
  def q_scale(self: __torch__.Ops,
    x: Tensor) -> float:
    return torch.q_scale(x)
  def q_zero_point(self: __torch__.Ops,
    x: Tensor) -> int:
    return torch.q_zero_point(x)
  def q_per_channel_scales(self: __torch__.Ops,
    x: Tensor) -> Tensor:
    return torch.q_per_channel_scales(x)
  def q_per_channel_zero_points(self: __torch__.Ops,
    x: Tensor) -> Tensor:
    return torch.q_per_channel_zero_points(x)
  def q_per_channel_axis(self: __torch__.Ops,
    x: Tensor) -> int:
    return torch.q_per_channel_axis(x)
  def linear_prepack(self: __torch__.Ops,
    weight: Tensor, bias: Optional[Tensor]) -> __torch__.torch.classes.quantized.LinearPackedParamsBase:
    return ops.quantized.linear_prepack(weight, bias)
  def linear_prepack_fp16(self: __torch__.Ops,
    weight: Tensor, bias: Optional[Tensor]) -> __torch__.torch.classes.quantized.LinearPackedParamsBase:
    return ops.quantized.linear_prepack_fp16(weight, bias)
  def linear_unpack(self: __torch__.Ops,
    packed: __torch__.torch.classes.quantized.LinearPackedParamsBase) -> Tuple[Tensor, Optional[Tensor]]:
    return ops.quantized.linear_unpack(packed)
  def linear_unpack_fp16(self: __torch__.Ops,
    packed: __torch__.torch.classes.quantized.LinearPackedParamsBase) -> Tuple[Tensor, Optional[Tensor]]:
    return ops.quantized.linear_unpack_fp16(packed)
  def linear(self: __torch__.Ops,
    x: Tensor, packed: __torch__.torch.classes.quantized.LinearPackedParamsBase, scale: float, zero_point: int) -> Tensor:
    return ops.quantized.linear(x, packed, scale, zero_point)
  def linear_relu(self: __torch__.Ops,
    x: Tensor, packed: __torch__.torch.classes.quantized.LinearPackedParamsBase, scale: float, zero_point: int) -> Tensor:
    return ops.quantized.linear_relu(x, packed, scale, zero_point)
  def linear_dynamic(self: __torch__.Ops,
    x: Tensor, packed: __torch__.torch.classes.quantized.LinearPackedParamsBase, reduce_range: bool) -> Tensor:
    return ops.quantized.linear_dynamic(x, packed, reduce_range)
  def linear_relu_dynamic(self: __torch__.Ops,
    x: Tensor, packed: __torch__.torch.classes.quantized.LinearPackedParamsBase, reduce_range: bool) -> Tensor:
    return ops.quantized.linear_relu_dynamic(x, packed, reduce_range)
  def linear_dynamic_fp16(self: __torch__.Ops,
    x: Tensor, packed: __torch__.torch.classes.quantized.LinearPackedParamsBase) -> Tensor:
    return ops.quantized.linear_dynamic_fp16(x, packed)
  def conv1d_prepack(self: __torch__.Ops,
    weight: Tensor, bias: Optional[Tensor], stride: List[int], padding: List[int], dilation: List[int], groups: int) -> __torch__.torch.classes.quantized.Conv2dPackedParamsBase:
    return ops.quantized.conv1d_prepack(weight, bias, stride, padding, dilation, groups)
  def conv2d_prepack(self: __torch__.Ops,
    weight: Tensor, bias: Optional[Tensor], stride: List[int], padding: List[int], dilation: List[int], groups: int) -> __torch__.torch.classes.quantized.Conv2dPackedParamsBase:
    return ops.quantized.conv2d_prepack(weight, bias, stride, padding, dilation, groups)
  def conv3d_prepack(self: __torch__.Ops,
    weight: Tensor, bias: Optional[Tensor], stride: List[int], padding: List[int], dilation: List[int], groups: int) -> __torch__.torch.classes.quantized.Conv3dPackedParamsBase:
    return ops.quantized.conv3d_prepack(weight, bias, stride, padding, dilation, groups)
  def conv2d_unpack(self: __torch__.Ops,
    packed: __torch__.torch.classes.quantized.Conv2dPackedParamsBase) -> Tuple[Tensor, Optional[Tensor]]:
    return ops.quantized.conv2d_unpack(packed)
  def conv3d_unpack(self: __torch__.Ops,
    packed: __torch__.torch.classes.quantized.Conv3dPackedParamsBase) -> Tuple[Tensor, Optional[Tensor]]:
    return ops.quantized.conv3d_unpack(packed)
  def conv1d(self: __torch__.Ops,
    x: Tensor, packed: __torch__.torch.classes.quantized.Conv2dPackedParamsBase, scale: float, zero_point: int) -> Tensor:
    return ops.quantized.conv1d(x, packed, scale, zero_point)
  def conv1d_relu(self: __torch__.Ops,
    x: Tensor, packed: __torch__.torch.classes.quantized.Conv2dPackedParamsBase, scale: float, zero_point: int) -> Tensor:
    return ops.quantized.conv1d_relu(x, packed, scale, zero_point)
  def conv2d(self: __torch__.Ops,
    x: Tensor, packed: __torch__.torch.classes.quantized.Conv2dPackedParamsBase, scale: float, zero_point: int) -> Tensor:
    return ops.quantized.conv2d(x, packed, scale, zero_point)
  def conv2d_relu(self: __torch__.Ops,
    x: Tensor, packed: __torch__.torch.classes.quantized.Conv2dPackedParamsBase, scale: float, zero_point: int) -> Tensor:
    return ops.quantized.conv2d_relu(x, packed, scale, zero_point)
  def conv3d(self: __torch__.Ops,
    x: Tensor, packed: __torch__.torch.classes.quantized.Conv3dPackedParamsBase, scale: float, zero_point: int) -> Tensor:
    return ops.quantized.conv3d(x, packed, scale, zero_point)
  def conv3d_relu(self: __torch__.Ops,
    x: Tensor, packed: __torch__.torch.classes.quantized.Conv3dPackedParamsBase, scale: float, zero_point: int) -> Tensor:
    return ops.quantized.conv3d_relu(x, packed, scale, zero_point)
  def add(self: __torch__.Ops,
    a: Tensor, b: Tensor, scale: float, zero_point: int) -> Tensor:
    return ops.quantized.add(a, b, scale, zero_point)
  def add_relu(self: __torch__.Ops,
    a: Tensor, b: Tensor, scale: float, zero_point: int) -> Tensor:
    return ops.quantized.add_relu(a, b, scale, zero_point)
  def mul(self: __torch__.Ops,
    a: Tensor, b: Tensor, scale: float, zero_point: int) -> Tensor:
    return ops.quantized.mul(a, b, scale, zero_point)
  def add_scalar(self: __torch__.Ops,
    a: Tensor, b: float) -> Tensor:
    return ops.quantized.add_scalar(a, b)
  def mul_scalar(self: __torch__.Ops,
    a: Tensor, b: float) -> Tensor:
    return ops.quantized.mul_scalar(a, b)
  def cat(self: __torch__.Ops,
    xs: List[Tensor], dim: int, scale: float, zero_point: int) -> Tensor:
    return ops.quantized.cat(xs, dim, scale, zero_point)
  def batch_norm2d(self: __torch__.Ops,
    x: Tensor, weight: Optional[Tensor], bias: Optional[Tensor], mean: Tensor, var: Tensor, eps: float, scale: float, zero_point: int) -> Tensor:
    return ops.quantized.batch_norm2d(x, weight, bias, mean, var, eps, scale, zero_point)
  def batch_norm3d(self: __torch__.Ops,
    x: Tensor, weight: Optional[Tensor], bias: Optional[Tensor], mean: Tensor, var: Tensor, eps: float, scale: float, zero_point: int) -> Tensor:
    return ops.quantized.batch_norm3d(x, weight, bias, mean, var, eps, scale, zero_point)
  def relu6(self: __torch__.Ops,
    x: Tensor) -> Tensor:
    return ops.quantized.relu6(x, False)
  def hardswish(self: __torch__.Ops,
    x: Tensor, scale: float, zero_point: int) -> Tensor:
    return ops.quantized.hardswish(x, scale, zero_point)
  def hardsigmoid(self: __torch__.Ops,
    x: Tensor) -> Tensor:
    return torch.hardsigmoid(x)
  def linear_prepack_nobias(self: __torch__.Ops,
    weight: Tensor) -> __torch__.torch.classes.quantized.LinearPackedParamsBase:
    return ops.quantized.linear_prepack(weight, None)
  def linear_prepack_fp16_nobias(self: __torch__.Ops,
    weight: Tensor) -> __torch__.torch.classes.quantized.LinearPackedParamsBase:
    return ops.quantized.linear_prepack_fp16(weight, None)
  def conv1d_prepack_nobias(self: __torch__.Ops,
    weight: Tensor, stride: List[int], padding: List[int], dilation: List[int], groups: int) -> __torch__.torch.classes.quantized.Conv2dPackedParamsBase:
    return ops.quantized.conv1d_prepack(weight, None, stride, padding, dilation, groups)
  def conv2d_prepack_nobias(self: __torch__.Ops,
    weight: Tensor, stride: List[int], padding: List[int], dilation: List[int], groups: int) -> __torch__.torch.classes.quantized.Conv2dPackedParamsBase:
    return ops.quantized.conv2d_prepack(weight, None, stride, padding, dilation, groups)
  def conv3d_prepack_nobias(self: __torch__.Ops,
    weight: Tensor, stride: List[int], padding: List[int], dilation: List[int], groups: int) -> __torch__.torch.classes.quantized.Conv3dPackedParamsBase:
    return ops.quantized.conv3d_prepack(weight, None, stride, padding, dilation, groups)
  def embedding(self: __torch__.Ops,
    weight: Tensor, indices: Tensor, padding_idx: int) -> Tensor:
    return torch.embedding(weight, indices, padding_idx)
  def layer_norm(self: __torch__.Ops,
    x: Tensor, normalized_shape: List[int], weight: Tensor, bias: Tensor, eps: float) -> Tensor:
    return torch.layer_norm(x, normalized_shape, weight, bias, eps)
  def gelu(self: __torch__.Ops,
    x: Tensor) -> Tensor:
    return torch.gelu(x)
  def gelu_tanh(self: __torch__.Ops,
    x: Tensor) -> Tensor:
    return torch.gelu(x, approximate="tanh")
