"""What SummaryWriter's add_figure, add_image_with_boxes and add_onnx_graph take, turned into
tensors and plain values for ember._C._tensorboard: rendering matplotlib figures, drawing
boxes with Pillow (the drawing PyTorch's summary.image_boxes does, so the pixels match),
reading ONNX files with the onnx package. Each library is imported only when used."""
import itertools


def figure_to_chw(figure, close):
    """A figure's RGB pixels as a uint8 [3, H, W] tensor. With matplotlib installed the figure
    is drawn on an Agg canvas (as PyTorch does) and closed if `close`; without it, any object
    whose `canvas` has draw(), buffer_rgba() and get_width_height() is accepted."""
    import ember
    try:
        import matplotlib.pyplot as plt
        from matplotlib.backends.backend_agg import FigureCanvasAgg
    except ImportError:
        plt = None
    canvas = FigureCanvasAgg(figure) if plt is not None else figure.canvas
    canvas.draw()
    width, height = figure.canvas.get_width_height()
    rgba = ember.as_tensor(memoryview(canvas.buffer_rgba()).cast("B"))
    if rgba.numel() != height * width * 4:
        raise ValueError(f"add_figure: the canvas holds {rgba.numel()} bytes, expected {height} x {width} x 4 "
                         "(RGBA)")
    image = rgba.reshape(height, width, 4)[:, :, :3].permute(2, 0, 1).contiguous()
    if close and plt is not None:
        plt.close(figure)
    return image


def draw_boxes(hwc, boxes, labels, rescale):
    """hwc: uint8 [H, W, 3 or 4]; boxes: [N, 4] rows x1, y1, x2, y2. Each box is outlined in red,
    2 pixels wide, its label (if any) written in black on a red band at its bottom left, in
    Pillow's default font; then the image is scaled by `rescale` (Lanczos). Returns uint8 HWC."""
    import ember
    from PIL import Image, ImageDraw, ImageFont
    height, width, channels = hwc.shape
    image = Image.frombytes("RGBA" if channels == 4 else "RGB", (width, height), bytes(memoryview(hwc.contiguous())))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    for i, (left, top, right, bottom) in enumerate(boxes):
        draw.line([(left, top), (left, bottom), (right, bottom), (right, top), (left, top)], width=2, fill="Red")
        text = None if labels is None else labels[i]
        if text:
            _, _, text_width, text_height = font.getbbox(text)  # the bitmap font's box starts at (0, 0)
            margin = -(-text_height // 20)  # ceil(0.05 * height)
            draw.rectangle([(left, bottom - text_height - 2 * margin), (left + text_width, bottom)], fill="Red")
            draw.text((left + margin, bottom - text_height - margin), text, fill="black", font=font)
    if rescale != 1:
        image = image.resize((int(width * rescale), int(height * rescale)), Image.Resampling.LANCZOS)
    out = ember.as_tensor(memoryview(bytearray(image.tobytes())))
    return out.reshape(image.height, image.width, channels)


def onnx_nodes(path):
    """The nodes of an ONNX model's graph as ember._C._tensorboard.add_onnx_graph takes them:
    inputs and outputs as "Variable" nodes with their element type and shape, then each
    operator named by its first output, its attributes joined into one string."""
    import onnx  # PyTorch's add_onnx_graph needs it too: its ImportError if absent
    graph = onnx.load(path).graph
    nodes = []
    for value in itertools.chain(graph.input, graph.output):
        tensor_type = value.type.tensor_type
        nodes.append((value.name, "Variable", [], int(tensor_type.elem_type),
                      [int(d.dim_value) for d in tensor_type.shape.dim], None))
    for node in graph.node:
        parameters = ", ".join(" = ".join(str(field[1]) for field in attribute.ListFields())
                               for attribute in node.attribute)
        nodes.append((node.output[0], node.op_type, list(node.input), 0, [], parameters))
    return nodes
